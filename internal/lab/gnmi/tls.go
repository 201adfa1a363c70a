package gnmi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// CA is the lab's certificate authority. Its certificate is written to
// ca.pem in the lab directory for clients (the inventory's tls.ca); its key
// stays next to it (ca-key.pem, mode 0600) so that a restarted lab keeps
// the CA clients already trust.
type CA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	file    string

	once   sync.Once
	server tls.Certificate
	srvErr error
}

// CAFileName is the CA certificate's file name in the lab directory.
const CAFileName = "ca.pem"

const caKeyFileName = "ca-key.pem"

// LoadOrCreateCA reads the CA from dir, or creates it (and dir) when absent.
func LoadOrCreateCA(dir string) (*CA, error) {
	certFile, keyFile := filepath.Join(dir, CAFileName), filepath.Join(dir, caKeyFileName)
	certPEM, err1 := os.ReadFile(certFile)
	keyPEM, err2 := os.ReadFile(keyFile)
	if err1 == nil && err2 == nil {
		return parseCA(certFile, certPEM, keyPEM)
	}
	if !errors.Is(err1, fs.ErrNotExist) && err1 != nil {
		return nil, fmt.Errorf("lab ca: %w", err1)
	}
	if !errors.Is(err2, fs.ErrNotExist) && err2 != nil {
		return nil, fmt.Errorf("lab ca: %w", err2)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab ca: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("lab ca: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "netalign lab CA", Organization: []string{"netalign lab"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("lab ca: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("lab ca: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("lab ca: %w", err)
	}
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("lab ca: %w", err)
	}
	return parseCA(certFile, certPEM, keyPEM)
}

func parseCA(file string, certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("lab ca %s: not PEM", file)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("lab ca %s: %w", file, err)
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("lab ca %s: key: %w", file, err)
	}
	return &CA{cert: cert, key: key, certPEM: certPEM, file: file}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// File is the path of ca.pem.
func (ca *CA) File() string { return ca.file }

// CertPEM is the CA certificate in PEM.
func (ca *CA) CertPEM() []byte { return ca.certPEM }

// ServerCertificate returns the certificate every simulated switch
// presents: 127.0.0.1, ::1 and localhost, signed by the CA. It is made
// once per CA (a lab of 1,000 switches shares it).
func (ca *CA) ServerCertificate() (tls.Certificate, error) {
	ca.once.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			ca.srvErr = err
			return
		}
		now := time.Now()
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"netalign lab"}},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.AddDate(1, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames:     []string{"localhost"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
		if err != nil {
			ca.srvErr = err
			return
		}
		ca.server = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	})
	if ca.srvErr != nil {
		return tls.Certificate{}, fmt.Errorf("lab server certificate: %w", ca.srvErr)
	}
	return ca.server, nil
}
