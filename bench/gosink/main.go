// bench/gosink/main.go: a go-smtp server that accepts every message and
// discards it, for scripts/bench.sh (the end-to-end comparison). Built
// offline against Debian's golang-github-emersion-go-smtp-dev (0.12):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o build/bench/gosink bench/gosink/main.go
//
// Usage: gosink ADDR:PORT (prints "listening on ADDR:PORT" when ready).
package main

import (
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"os"

	"github.com/emersion/go-smtp"
)

type backend struct{}

func (backend) Login(state *smtp.ConnectionState, user, pass string) (smtp.Session, error) {
	return session{}, nil
}

func (backend) AnonymousLogin(state *smtp.ConnectionState) (smtp.Session, error) {
	return session{}, nil
}

type session struct{}

func (session) Reset()                                         {}
func (session) Logout() error                                  { return nil }
func (session) Mail(from string, opts smtp.MailOptions) error { return nil }
func (session) Rcpt(to string) error                           { return nil }
func (session) Data(r io.Reader) error {
	_, err := io.Copy(ioutil.Discard, r)
	return err
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gosink ADDR:PORT")
		os.Exit(2)
	}
	s := smtp.NewServer(backend{})
	s.Domain = "gosink.invalid"
	s.MaxMessageBytes = 64 << 20
	s.MaxRecipients = 1000
	s.AllowInsecureAuth = true
	l, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	if err := s.Serve(l); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
