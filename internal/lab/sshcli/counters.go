package sshcli

// RoundTrips returns how many client round trips the server has answered:
// one per chunk of client input that completed at least one command line,
// whether it carried one command or a pasted block of many (the device
// model's command counter counts the lines). The injected latency is paid
// once per round trip. Echo-only input (a client waiting for the echo of a
// command before sending its return) is not counted.
func (s *Server) RoundTrips() int64 { return s.turns.Load() }

// Logins returns how many SSH connections completed the handshake and
// authentication.
func (s *Server) Logins() int64 { return s.logins.Load() }

// PromptProbes returns how many empty lines clients sent: what a client
// sends to read the prompt (scrapligo's GetPrompt). On a real network each
// is a round trip; the lab neither delays nor counts them in RoundTrips.
func (s *Server) PromptProbes() int64 { return s.probes.Load() }

// EchoWaits returns how many chunks of client input completed no line:
// a client that sends a command, waits for its echo and only then sends the
// return (scrapligo's SendCommand) makes one per command. On a real network
// each is a round trip; the lab neither delays nor counts them in
// RoundTrips.
func (s *Server) EchoWaits() int64 { return s.echoes.Load() }
