package interop

import (
	"fmt"
	"path/filepath"
	"strings"
)

// configSection is one [section] of a GNUnet configuration file.
type configSection struct {
	name    string
	options [][2]string
}

// disabledServices are the GNUnet 0.19 services, besides the hostlist
// client, that could reach other hosts or that the test does not need.
var disabledServices = []string{
	"nat-auto", "dns", "exit", "pt", "vpn", "dns2gns",
	"gns-proxy", "resolver", "fs", "rest", "reclaim", "bcd", "fcfsd",
	"messenger", "conversation",
}

// peerConfig returns the configuration text for a GNUnet 0.19 peer whose
// files all live under home. The peer loads no transport plugin, so it
// opens no network socket, and every service that looks up DNS names,
// fetches hostlists or probes NAT is disabled. The zonemaster starts only
// when the test requests it from ARM, after all records are in the namestore.
func peerConfig(home string) string {
	var b strings.Builder
	for _, s := range peerSections(home) {
		fmt.Fprintf(&b, "[%s]\n", s.name)
		for _, o := range s.options {
			fmt.Fprintf(&b, "%s = %s\n", o[0], o[1])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// serviceOff keeps ARM from starting a service at boot or when a client
// connects to it.
var serviceOff = [][2]string{{"IMMEDIATE_START", "NO"}, {"START_ON_DEMAND", "NO"}}

func peerSections(home string) []configSection {
	sections := []configSection{
		{"PATHS", [][2]string{
			{"GNUNET_HOME", home},
			{"GNUNET_DATA_HOME", filepath.Join(home, "data") + "/"},
			{"GNUNET_CONFIG_HOME", filepath.Join(home, "config") + "/"},
			{"GNUNET_CACHE_HOME", filepath.Join(home, "cache") + "/"},
			{"GNUNET_RUNTIME_DIR", filepath.Join(home, "run") + "/"},
			{"GNUNET_USER_RUNTIME_DIR", filepath.Join(home, "run") + "/"},
			{"GNUNET_TMP", filepath.Join(home, "tmp") + "/"},
		}},
		{"arm", [][2]string{
			{"START_SYSTEM_SERVICES", "YES"},
			{"START_USER_SERVICES", "YES"},
			{"GLOBAL_POSTFIX", "-l " + filepath.Join(home, "log") + "/{}.log"},
		}},
		{"hostlist", append([][2]string{{"SERVERS", ""}, {"OPTIONS", ""}}, serviceOff...)},
		{"peerinfo", [][2]string{{"USE_INCLUDED_HELLOS", "NO"}}},
		{"nat", [][2]string{
			{"ENABLE_UPNP", "NO"}, {"USE_STUN", "NO"}, {"STUN_SERVERS", ""},
			{"DISABLEV6", "YES"}, {"BEHIND_NAT", "NO"},
			{"ENABLE_ICMP_SERVER", "NO"}, {"ENABLE_ICMP_CLIENT", "NO"},
		}},
		{"transport", [][2]string{{"PLUGINS", ""}}},
		{"dhtu-ip", [][2]string{{"ENABLED", "NO"}}},
		{"gns", [][2]string{{"INTERCEPT_DNS", "NO"}}},
		{"zonemaster", serviceOff},
	}
	for _, name := range disabledServices {
		sections = append(sections, configSection{name, serviceOff})
	}
	return sections
}
