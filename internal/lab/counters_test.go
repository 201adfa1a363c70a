package lab

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
)

// TestCounters: one exec request on one switch shows as one login, one
// command and one round trip on that switch only.
func TestCounters(t *testing.T) {
	l, err := StartFleet(context.Background(), 2, 2, Options{Dir: t.TempDir(), Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sw := l.Switches()[1]
	c, err := ssh.Dial("tcp", sw.Addr, &ssh.ClientConfig{User: "u", Auth: []ssh.AuthMethod{ssh.Password("p")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey()}) // loopback lab switch started above
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := s.CombinedOutput("show hostname"); err != nil {
		t.Fatalf("show hostname: %v %s", err, out)
	}
	want := []Counters{{Switch: "sw0001"}, {Switch: "sw0002", Commands: 1, RoundTrips: 1, Logins: 1}}
	if diff := cmp.Diff(want, l.Counters()); diff != "" {
		t.Errorf("counters -want +got:\n%s", diff)
	}
}
