package lab

// Counters are what one simulated switch has served since it started.
type Counters struct {
	Switch string `json:"switch"`
	// Commands is the number of command lines (or gNMI RPCs) served.
	Commands int64 `json:"commands"`
	// RoundTrips is the number of client round trips (SSH switches: one
	// per chunk of client input, however many lines it carried; gNMI: one
	// per RPC).
	RoundTrips int64 `json:"roundTrips"`
	// Logins is the number of SSH logins (0 for gNMI switches).
	Logins int64 `json:"logins"`
}

// Counters returns the counters of every switch, in inventory order.
func (l *Lab) Counters() []Counters {
	out := make([]Counters, len(l.switches))
	for i, s := range l.switches {
		c := Counters{Switch: s.info.Name, Commands: s.dev.Commands()}
		if s.ssh != nil {
			c.RoundTrips = s.ssh.RoundTrips()
			c.Logins = s.ssh.Logins()
		} else {
			c.RoundTrips = c.Commands
		}
		out[i] = c
	}
	return out
}
