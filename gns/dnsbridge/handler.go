package dnsbridge

import (
	"context"
	"strings"

	"github.com/miekg/dns"
)

// maxCNAMEChain bounds how many CNAME records the bridge follows for one
// query, so a loop of CNAMEs ends with the chain found so far.
const maxCNAMEChain = 8

// serveDNS answers one query. Only single-question IN queries are served;
// anything else gets FORMERR, REFUSED or NOTIMP without calling Resolve.
func (s *Server) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.RecursionAvailable = true
	if rcode, ok := checkQuery(req); !ok {
		resp.Rcode = rcode
		s.write(w, req, resp)
		return
	}
	q := req.Question[0]
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	resp.Rcode, resp.Answer = s.answer(ctx, dns.CanonicalName(q.Name), q.Qtype)
	s.write(w, req, resp)
}

// checkQuery returns the rcode for a query the bridge does not serve.
func checkQuery(req *dns.Msg) (int, bool) {
	switch {
	case req.Opcode != dns.OpcodeQuery:
		return dns.RcodeNotImplemented, false
	case len(req.Question) != 1:
		return dns.RcodeFormatError, false
	case req.Question[0].Qclass != dns.ClassINET:
		return dns.RcodeRefused, false
	}
	return dns.RcodeSuccess, true
}

// answer resolves name and follows CNAME records that point to further GNS
// names. A CNAME pointing outside GNS ends the chain, and the client's
// resolver follows it.
func (s *Server) answer(ctx context.Context, name string, qtype uint16) (int, []dns.RR) {
	var answers []dns.RR
	for range maxCNAMEChain {
		reply := s.cfg.Resolve(ctx, name, qtype)
		if reply.Code == Failed {
			s.cfg.Log.Debug("resolution failed", "subsystem", "dnsbridge", "name", name, "qtype", dns.TypeToString[qtype], "err", reply.Err)
		}
		if len(answers) > 0 && reply.Code == NotGNS {
			return dns.RcodeSuccess, answers
		}
		if reply.Code != Found {
			return rcodeOf(reply.Code), answers
		}
		answers = append(answers, reply.Answers...)
		target, chase := cnameTarget(reply.Answers, qtype)
		if !chase {
			return dns.RcodeSuccess, answers
		}
		name = target
	}
	return dns.RcodeSuccess, answers
}

// cnameTarget returns the target of a lone CNAME answer to a non-CNAME
// query, which is when the client expects the bridge to follow it.
func cnameTarget(answers []dns.RR, qtype uint16) (string, bool) {
	if qtype == dns.TypeCNAME || len(answers) != 1 {
		return "", false
	}
	cname, ok := answers[0].(*dns.CNAME)
	if !ok {
		return "", false
	}
	return dns.CanonicalName(cname.Target), true
}

func rcodeOf(c Code) int {
	switch c {
	case Found:
		return dns.RcodeSuccess
	case NotFound:
		return dns.RcodeNameError
	case NotGNS:
		return dns.RcodeRefused
	}
	return dns.RcodeServerFailure
}

// write sends resp, truncating it to the UDP size that req allows.
func (s *Server) write(w dns.ResponseWriter, req, resp *dns.Msg) {
	if isUDP(w) {
		resp.Truncate(udpSize(req))
	}
	if err := w.WriteMsg(resp); err != nil {
		s.cfg.Log.Debug("dns bridge write failed", "subsystem", "dnsbridge", "client", w.RemoteAddr().String(), "err", err)
	}
}

func isUDP(w dns.ResponseWriter) bool {
	return strings.HasPrefix(w.RemoteAddr().Network(), "udp")
}

// udpSize returns the client's advertised EDNS0 buffer size, or the classic
// 512-byte limit.
func udpSize(req *dns.Msg) int {
	if opt := req.IsEdns0(); opt != nil && opt.UDPSize() > dns.MinMsgSize {
		return int(opt.UDPSize())
	}
	return dns.MinMsgSize
}
