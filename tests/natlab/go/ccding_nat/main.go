// Command ccding_nat runs ccding/go-stun's RFC 3489 NAT type discovery
// (stun.Client.Discover, Debian's golang-github-ccding-go-stun-dev) and
// prints what the library's own command prints ("NAT Type: ...", then the
// external address), for the NAT lab's interop check (interop.sh).
//
// The one difference from the library's command: every read deadline the
// library sets is capped at -wait. The library retransmits 9 times over
// 9.5 s before it takes silence as "no answer", and the lab's filtering
// tests are answered with silence; on the lab's veth links an answer
// comes within a millisecond, so 9 sends 100 ms apart still tell silence
// from loss, in 0.9 s. The discovery logic and the packets are the
// library's.
//
// Usage: ccding_nat -s SERVER_IP:PORT [-wait 100ms]
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/ccding/go-stun/stun"
)

// shortWaitConn caps every read deadline at wait from now (no deadline
// stays no deadline).
type shortWaitConn struct {
	net.PacketConn
	wait time.Duration
}

func (c shortWaitConn) SetReadDeadline(t time.Time) error {
	if limit := time.Now().Add(c.wait); !t.IsZero() && t.After(limit) {
		t = limit
	}
	return c.PacketConn.SetReadDeadline(t)
}

func main() {
	server := flag.String("s", "", "STUN server address, IP:PORT")
	wait := flag.Duration("wait", 100*time.Millisecond, "longest wait for each answer")
	flag.Parse()
	if *server == "" {
		fmt.Fprintln(os.Stderr, "ccding_nat: -s SERVER_IP:PORT is required")
		os.Exit(2)
	}
	conn, err := net.ListenUDP("udp4", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ccding_nat: cannot open a UDP socket:", err)
		os.Exit(1)
	}
	defer conn.Close()
	client := stun.NewClientWithConnection(shortWaitConn{conn, *wait})
	client.SetServerAddr(*server)
	nat, host, err := client.Discover()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("NAT Type:", nat)
	if host != nil {
		fmt.Println("External IP Family:", host.Family())
		fmt.Println("External IP:", host.IP())
		fmt.Println("External Port:", host.Port())
	}
}
