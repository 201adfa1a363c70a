package cause

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// Code is a stable failure cause. Codes never change meaning; new ones are
// only added.
type Code string

// Failure causes (docs/validate.md lists them with what to do).
const (
	// Unreachable: the connection was refused, there is no route, or the
	// name does not resolve.
	Unreachable Code = "UNREACHABLE"
	// Timeout: the device did not answer within settings.timeout.
	Timeout Code = "TIMEOUT"
	// AuthFailed: the device refused the credentials.
	AuthFailed Code = "AUTH_FAILED"
	// HostKeyUnknown: known_hosts has no entry for the device.
	HostKeyUnknown Code = "HOST_KEY_UNKNOWN"
	// HostKeyMismatch: the device's host key differs from known_hosts.
	HostKeyMismatch Code = "HOST_KEY_MISMATCH"
	// TLSVerifyFailed: the device's certificate did not verify.
	TLSVerifyFailed Code = "TLS_VERIFY_FAILED"
	// CredentialsMissing: an environment variable or file the
	// credentials name is unset or unreadable.
	CredentialsMissing Code = "CREDENTIALS_MISSING"
	// PlatformMismatch: the device answered, but is not the platform the
	// inventory says.
	PlatformMismatch Code = "PLATFORM_MISMATCH"
	// ProtocolError: the device answered something the driver could not
	// use (an unexpected reply, a dropped session, a refused command).
	ProtocolError Code = "PROTOCOL_ERROR"
	// NoDriver: netalign has no driver for the platform or kind.
	NoDriver Code = "NO_DRIVER"
	// ConcurrentChange: the device changed between observation and
	// commit; the transaction was abandoned.
	ConcurrentChange Code = "CONCURRENT_CHANGE"
	// Interrupted: the run was interrupted (SIGINT, SIGTERM, SIGHUP).
	Interrupted Code = "INTERRUPTED"
	// Insecure: a request was refused because it would send credentials
	// in clear (for example HTTP basic auth over plain http://).
	Insecure Code = "INSECURE_TRANSPORT"
	// ObservePartial: the device was observed, but records of its
	// output were not understood and left out; apply leaves it alone
	// when they could matter to the plan. It is a finding, not a failure,
	// in validate (docs/validate.md).
	ObservePartial Code = "OBSERVE_PARTIAL"
)

// Error is a failure with its cause. Msg is one line a person can act on
// ("authentication failed for user admin (password from $SW_PASS)"); Err is
// the underlying error, kept for errors.Is/As and debug logs.
type Error struct {
	Code Code
	Msg  string
	Err  error
}

// New returns an *Error with a formatted message and no underlying error.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with a formatted message around err.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}

// Error is the message; without one, the underlying error's.
func (e *Error) Error() string {
	switch {
	case e.Msg != "":
		return e.Msg
	case e.Err != nil:
		return e.Err.Error()
	}
	return string(e.Code)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Coder is implemented by errors that know their cause. *Error does; a
// driver's typed error may too.
type Coder interface {
	CauseCode() Code
}

// CauseCode returns e.Code.
func (e *Error) CauseCode() Code { return e.Code }

// Of returns the cause of err: the code of the outermost Coder in its chain,
// else a classification of the standard library's errors (deadlines and
// timeouts, cancellation, refused connections and missing routes, DNS
// failures, certificate errors), else ProtocolError. Of(nil) is "".
func Of(err error) Code {
	if err == nil {
		return ""
	}
	var c Coder
	if errors.As(err, &c) {
		return c.CauseCode()
	}
	if code, ok := classify(err); ok {
		return code
	}
	return ProtocolError
}

// Classify returns err as an *Error when its cause can be told from the
// standard library's errors (see Of), and err unchanged otherwise. Drivers
// call it at the transport boundary to keep the cause while adding context.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var c Coder
	if errors.As(err, &c) {
		return err
	}
	if code, ok := classify(err); ok {
		return &Error{Code: code, Err: err, Msg: Describe(code, err)}
	}
	return err
}

func classify(err error) (Code, bool) {
	switch {
	case errors.Is(err, context.Canceled):
		return Interrupted, true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return Timeout, true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Timeout, true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsTimeout {
			return Timeout, true
		}
		return Unreachable, true
	}
	for _, e := range []error{syscall.ECONNREFUSED, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EHOSTDOWN, syscall.ENETDOWN, syscall.EADDRNOTAVAIL} {
		if errors.Is(err, e) {
			return Unreachable, true
		}
	}
	var (
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
		ci x509.CertificateInvalidError
	)
	// crypto/tls's CertificateVerificationError unwraps to these.
	if errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) {
		return TLSVerifyFailed, true
	}
	return "", false
}

// Describe is a one-line message for an error classified as code from the
// standard library: what happened, without the library's chain of
// operation prefixes.
func Describe(code Code, err error) string {
	switch code {
	case Timeout:
		return "no answer within the timeout (settings.timeout or --timeout)"
	case Interrupted:
		return "interrupted"
	case Unreachable:
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return fmt.Sprintf("name %s does not resolve", dns.Name)
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Addr != nil {
			var se *os.SyscallError
			reason := op.Err.Error()
			if errors.As(op.Err, &se) {
				reason = se.Err.Error()
			}
			return fmt.Sprintf("cannot connect to %s: %s", op.Addr, reason)
		}
		return "cannot connect: " + err.Error()
	case TLSVerifyFailed:
		return "TLS certificate did not verify: " + err.Error()
	}
	return err.Error()
}
