package node

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"time"

	"github.com/hush-overlay/hush/control"
	"github.com/hush-overlay/hush/stealth"
)

// ExposeRequest is the body of POST /v1/expose.
type ExposeRequest struct {
	Name   string `json:"name"`
	To     string `json:"to"`
	Zone   string `json:"zone,omitempty"` // default: the default identity
	Public bool   `json:"public,omitempty"`
	// Secret is 64 hex digits; empty makes a fresh one.
	Secret string `json:"secret,omitempty"`
	// Expire is the record's relative lifetime, e.g. "15m".
	Expire string `json:"expire,omitempty"`
}

// ServiceView is one exposed service in listings. The secret is never
// shown.
type ServiceView struct {
	Name    string    `json:"name"`
	To      string    `json:"to"`
	Zone    string    `json:"zone"`
	Public  bool      `json:"public"`
	Rotated time.Time `json:"rotated"`
	// Name is the service's name under the zone's zTLD, which resolves
	// anywhere.
	ZTLDName string `json:"ztld_name,omitempty"`
	// PreviousUntil is when the secret before the last rotation stops
	// opening the port.
	PreviousUntil time.Time `json:"previous_until,omitzero"`
}

// DefaultServiceExpire is the lifetime of a published service record. It
// bounds how long a client may keep using a record after the service's
// secret was rotated, so it is short.
const DefaultServiceExpire = "15m"

func (n *Node) exposeRoutes(mux *http.ServeMux) {
	mux.Handle("POST /v1/expose", control.Handler(n.handleExpose))
	mux.Handle("GET /v1/expose", control.Handler(n.handleExposeList))
	mux.Handle("POST /v1/expose/remove", control.Handler(n.handleExposeRemove))
	mux.Handle("POST /v1/expose/rotate", control.Handler(n.handleExposeRotate))
}

func (n *Node) handleExpose(_ context.Context, req ExposeRequest) (ServiceView, error) {
	svc := stealth.Service{Name: req.Name, To: req.To, Zone: req.Zone, Public: req.Public, Rotated: time.Now().UTC()}
	if svc.Zone == "" {
		def, err := n.gns.ids.Default()
		if err != nil {
			return ServiceView{}, control.Errorf(http.StatusBadRequest, "no --zone given and no default zone: create one with `hush identity create NAME`")
		}
		svc.Zone = def.Name
	}
	if !svc.Public {
		secret, err := ParseSecret(req.Secret)
		if err != nil {
			return ServiceView{}, userError(err)
		}
		if secret == nil {
			if secret, err = stealth.NewSecret(rand.Reader); err != nil {
				return ServiceView{}, err
			}
		}
		svc.Secret = secret
	} else if req.Secret != "" {
		return ServiceView{}, control.Errorf(http.StatusBadRequest, "a --public service has no secret; drop --secret-file or --public")
	}
	if req.Expire == "" {
		req.Expire = DefaultServiceExpire
	}
	if err := n.expose.expose(svc, req.Expire); err != nil {
		return ServiceView{}, userError(err)
	}
	v := viewOf(svc)
	if zk, err := n.zoneOf(svc.Zone); err == nil {
		v.ZTLDName = svc.Name + "." + zk.String()
	}
	return v, nil
}

func viewOf(s stealth.Service) ServiceView {
	v := ServiceView{Name: s.Name, To: s.To, Zone: s.Zone, Public: s.Public, Rotated: s.Rotated}
	if time.Now().Before(s.PreviousUntil) {
		v.PreviousUntil = s.PreviousUntil
	}
	return v
}

func (n *Node) handleExposeList(context.Context, Empty) ([]ServiceView, error) {
	services, err := n.expose.list()
	out := []ServiceView{}
	for _, s := range services {
		out = append(out, viewOf(s))
	}
	return out, err
}

func (n *Node) handleExposeRemove(_ context.Context, req ExposeRequest) (Empty, error) {
	err := n.expose.remove(req.Name)
	if errors.Is(err, stealth.ErrServiceNotFound) {
		return Empty{}, control.Errorf(http.StatusNotFound, "%v (see hush expose --list)", err)
	}
	return Empty{}, err
}

// handleExposeRotate gives a stealth service a fresh secret and publishes
// it; the old secret keeps working for the old record's lifetime plus the
// stealth window.
func (n *Node) handleExposeRotate(_ context.Context, req ExposeRequest) (ServiceView, error) {
	if req.Expire == "" {
		req.Expire = DefaultServiceExpire
	}
	svc, err := n.expose.rotate(req.Name, req.Expire)
	if errors.Is(err, stealth.ErrServiceNotFound) {
		return ServiceView{}, control.Errorf(http.StatusNotFound, "%v (see hush expose --list)", err)
	}
	if err != nil {
		return ServiceView{}, userError(err)
	}
	return viewOf(svc), nil
}
