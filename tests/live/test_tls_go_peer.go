// SPDX-License-Identifier: MIT
//
// The Go TLS client and server of test_tls_go.c (crypto/tls only, the
// standard library): each sends one known message (tls_msg.h's) in a single
// Write and reads the other's whole.
//
//	peer server PORT CERT KEY SRV_BYTES CLI_BYTES
//	peer client PORT SRV_BYTES CLI_BYTES
package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// As tls_msg_fill: a header, then letters, a newline last.
func msg(n int, who string) []byte {
	b := make([]byte, n)
	head := copy(b, who+"-says-")
	for i := head; i < n; i++ {
		b[i] = byte('a' + (i*7)%26)
	}
	if n > 0 {
		b[n-1] = '\n'
	}
	return b
}

// Reads n bytes and checks they are want.
func readAll(c *tls.Conn, want []byte) {
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != string(want) {
		fmt.Fprintln(os.Stderr, "peer: wrong or short read:", err)
		os.Exit(1)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "peer:", err)
		os.Exit(2)
	}
	return n
}

func main() {
	// Never left behind by a test that failed: a peer that never comes is given up.
	time.AfterFunc(60*time.Second, func() {
		fmt.Fprintln(os.Stderr, "peer: no progress in 60 s")
		os.Exit(3)
	})
	if len(os.Args) == 7 && os.Args[1] == "server" {
		cert, err := tls.LoadX509KeyPair(os.Args[3], os.Args[4])
		if err != nil {
			fmt.Fprintln(os.Stderr, "peer:", err)
			os.Exit(1)
		}
		l, err := tls.Listen("tcp", "127.0.0.1:"+os.Args[2], &tls.Config{Certificates: []tls.Certificate{cert}})
		if err != nil {
			fmt.Fprintln(os.Stderr, "peer:", err)
			os.Exit(1)
		}
		c, err := l.Accept()
		if err != nil {
			os.Exit(1)
		}
		tc := c.(*tls.Conn)
		readAll(tc, msg(atoi(os.Args[6]), "go-client"))
		tc.Write(msg(atoi(os.Args[5]), "go-server"))
		tc.Close()
		return
	}
	if len(os.Args) == 5 && os.Args[1] == "client" {
		var c *tls.Conn
		var err error
		for i := 0; i < 400; i++ { // the server may not listen yet (20 s)
			c, err = tls.Dial("tcp", "127.0.0.1:"+os.Args[2], &tls.Config{InsecureSkipVerify: true})
			if err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "peer:", err)
			os.Exit(1)
		}
		c.Write(msg(atoi(os.Args[4]), "go-client"))
		readAll(c, msg(atoi(os.Args[3]), "go-server"))
		c.Close()
		return
	}
	fmt.Fprintln(os.Stderr, "usage: peer server PORT CERT KEY SRV_BYTES CLI_BYTES | peer client PORT SRV_BYTES CLI_BYTES")
	os.Exit(2)
}
