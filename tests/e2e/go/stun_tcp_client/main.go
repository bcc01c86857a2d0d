// Command stun_tcp_client is a STUN over TCP client for natscope's
// end-to-end tests, written on pion/stun (Debian's golang-github-pion-stun)
// so that natscope-server is checked against a STUN implementation no one
// here wrote. It prints key=value lines for the test to compare.
//
// Modes (-mode):
//
//	binding  one Binding request through pion's Client over -network (tcp,
//	         udp4); prints local=, mapped= (XOR-MAPPED-ADDRESS) and origin=
//	         (RESPONSE-ORIGIN, when sent).
//	change   over TCP: a Binding with CHANGE-REQUEST (change IP and port),
//	         then a plain Binding on the same connection; prints error=,
//	         unknown= (UNKNOWN-ATTRIBUTES) and then local= and mapped=.
//	hold     opens -n TCP connections and gets a Binding answered on each,
//	         keeping them open, then tries one more from -extra_local (by
//	         default the same source); prints held=N and extra=answered
//	         or extra=closed.
//	idle     opens a TCP connection, gets one Binding answered, sends
//	         nothing more and waits up to -timeout; prints idle=closed
//	         when the server closed it, idle=open otherwise.
//	garbage  sends an HTTP request over TCP; prints garbage=closed when the
//	         server closes the connection without a reply.
//
// Exits 1 with a message on any other failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/pion/stun"
)

var (
	mode    = flag.String("mode", "binding", "binding, change, hold, idle or garbage")
	server  = flag.String("server", "", "STUN server, IP:PORT")
	network = flag.String("network", "tcp", "tcp or udp4 (binding mode)")
	count   = flag.Int("n", 2, "connections to hold (hold mode)")
	timeout = flag.Duration("timeout", 10*time.Second, "how long to wait for the server")
	extraIP = flag.String("extra_local", "", "source IP of hold mode's extra connection")
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "stun_tcp_client: "+format+"\n", args...)
	os.Exit(1)
}

// do runs one transaction through pion's Client and returns the response.
func do(c *stun.Client, setters ...stun.Setter) *stun.Message {
	request := stun.MustBuild(append([]stun.Setter{stun.TransactionID, stun.BindingRequest}, setters...)...)
	var response *stun.Message
	var failure error
	if err := c.Do(request, func(e stun.Event) {
		failure = e.Error
		if e.Message != nil {
			response = new(stun.Message)
			e.Message.CloneTo(response)
		}
	}); err != nil {
		fail("transaction: %v", err)
	}
	if failure != nil {
		fail("transaction: %v", failure)
	}
	return response
}

// dial connects as stun.Dial does, keeping the connection to report its
// local address. Over TCP the transport retransmits, so pion does not.
func dial(network string) (*stun.Client, net.Conn) {
	conn, err := net.DialTimeout(network, *server, *timeout)
	if err != nil {
		fail("dial %s %s: %v", network, *server, err)
	}
	options := []stun.ClientOption{}
	if network == "tcp" {
		options = append(options, stun.WithNoRetransmit, stun.WithRTO(*timeout))
	}
	c, err := stun.NewClient(conn, options...)
	if err != nil {
		fail("client: %v", err)
	}
	return c, conn
}

func printMapped(conn net.Conn, m *stun.Message) {
	var mapped stun.XORMappedAddress
	if err := mapped.GetFrom(m); err != nil {
		fail("no XOR-MAPPED-ADDRESS in %v: %v", m, err)
	}
	fmt.Printf("local=%s\nmapped=%s\n", conn.LocalAddr(), &mapped)
	var origin stun.ResponseOrigin
	if origin.GetFrom(m) == nil {
		fmt.Printf("origin=%s\n", &origin)
	}
}

func binding() {
	c, conn := dial(*network)
	defer c.Close()
	printMapped(conn, do(c))
}

func change() {
	c, conn := dial("tcp")
	defer c.Close()
	m := do(c, stun.RawAttribute{Type: stun.AttrChangeRequest, Value: []byte{0, 0, 0, 6}})
	var code stun.ErrorCodeAttribute
	if err := code.GetFrom(m); err != nil {
		fail("CHANGE-REQUEST over TCP got no error: %v", m)
	}
	fmt.Printf("error=%d\n", code.Code)
	// Read by hand: this pion/stun's UnknownAttributes takes 4 bytes per
	// type, where RFC 8489 §14.9 has 2 (a list of one type is 2 bytes
	// long, which it refuses).
	if v, err := m.Get(stun.AttrUnknownAttributes); err == nil {
		for i := 0; i+2 <= len(v); i += 2 {
			fmt.Printf("unknown=0x%04x\n", int(v[i])<<8|int(v[i+1]))
		}
	}
	printMapped(conn, do(c))
}

// rawBinding sends a Binding on `conn` and reads the reply with pion's
// decoder; false when the server closes the connection instead.
func rawBinding(conn net.Conn) bool {
	request := stun.MustBuild(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if _, err := conn.Write(request.Raw); err != nil {
		return false
	}
	return readReply(conn)
}

func readReply(conn net.Conn) bool {
	if err := conn.SetReadDeadline(time.Now().Add(*timeout)); err != nil {
		fail("deadline: %v", err)
	}
	header := make([]byte, 20)
	if _, err := io.ReadFull(conn, header); err != nil {
		var timedOut net.Error
		if errors.As(err, &timedOut) && timedOut.Timeout() {
			fail("no reply and no close from %s within %v", *server, *timeout)
		}
		return false // EOF or reset: closed by the server.
	}
	body := make([]byte, int(header[2])<<8|int(header[3]))
	if _, err := io.ReadFull(conn, body); err != nil {
		return false
	}
	m := &stun.Message{Raw: append(header, body...)}
	if err := m.Decode(); err != nil {
		fail("reply does not decode: %v", err)
	}
	return true
}

// dialFrom opens a TCP connection from `local` (an IP; empty: any).
func dialFrom(local string) (net.Conn, error) {
	dialer := net.Dialer{Timeout: *timeout}
	if local != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	return dialer.Dial("tcp", *server)
}

func connect() net.Conn {
	conn, err := dialFrom("")
	if err != nil {
		fail("dial tcp %s: %v", *server, err)
	}
	return conn
}

func hold() {
	for i := 0; i < *count; i++ {
		conn := connect()
		defer conn.Close()
		if !rawBinding(conn) {
			fail("connection %d of %d was closed without a reply", i+1, *count)
		}
	}
	fmt.Printf("held=%d\n", *count)
	// A server that accepts and resets at once may do so before the dial
	// returns: the dial then fails with the reset.
	extra, err := dialFrom(*extraIP)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		fail("dial tcp %s: %v", *server, err)
	}
	if err == nil {
		defer extra.Close()
	}
	if err == nil && rawBinding(extra) {
		fmt.Println("extra=answered")
	} else {
		fmt.Println("extra=closed")
	}
}

func idle() {
	conn := connect()
	defer conn.Close()
	if !rawBinding(conn) {
		fail("closed before any reply")
	}
	if err := conn.SetReadDeadline(time.Now().Add(*timeout)); err != nil {
		fail("deadline: %v", err)
	}
	_, err := conn.Read(make([]byte, 1))
	var timedOut net.Error
	if errors.As(err, &timedOut) && timedOut.Timeout() {
		fmt.Println("idle=open")
		return
	}
	if err == nil {
		fail("the server sent unasked bytes")
	}
	fmt.Println("idle=closed")
}

func garbage() {
	conn := connect()
	defer conn.Close()
	if _, err := conn.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
		fail("write: %v", err)
	}
	if readReply(conn) {
		fail("the server answered an HTTP request")
	}
	fmt.Println("garbage=closed")
}

func main() {
	flag.Parse()
	if *server == "" {
		fail("give -server=IP:PORT")
	}
	modes := map[string]func(){"binding": binding, "change": change, "hold": hold, "idle": idle, "garbage": garbage}
	run, ok := modes[*mode]
	if !ok {
		fail("unknown -mode=%s (binding, change, hold, idle, garbage)", *mode)
	}
	run()
}
