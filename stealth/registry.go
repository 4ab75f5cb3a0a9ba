package stealth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketExposed holds one JSON Service per exposed port name.
var bucketExposed = []byte("exposed")

// maxPortNameLength bounds a port name, which is also a GNS label.
const maxPortNameLength = 63

// Service is one exposed local TCP service.
type Service struct {
	// Name is the port name and the GNS label of the published record.
	Name string `json:"name"`
	// To is the local TCP address that accepted channels are forwarded to.
	To string `json:"to"`
	// Zone is the name of the local identity whose zone publishes the
	// record.
	Zone string `json:"zone"`
	// Public marks a port without a secret, published as a VPN record.
	Public bool `json:"public"`
	// Secret is the port's 256-bit secret; nil for a public port.
	Secret *[SecretSize]byte `json:"secret,omitempty"`
	// Rotated is when the secret was last made.
	Rotated time.Time `json:"rotated"`
	// Previous is the secret before the last rotation, which still opens
	// the port until PreviousUntil.
	Previous      *[SecretSize]byte `json:"previous,omitempty"`
	PreviousUntil time.Time         `json:"previous_until,omitzero"`
	// Expire is the relative lifetime of the published record, such as
	// "15m": the longest a client acts on a copy it fetched.
	Expire string `json:"expire,omitempty"`
}

// ErrServiceNotFound is returned for a name that is not exposed.
var ErrServiceNotFound = errors.New("stealth: service not exposed")

// Registry stores exposed services in the home's database, so they survive
// a daemon restart.
type Registry struct {
	db *bolt.DB
}

// OpenRegistry creates the registry's bucket if needed.
func OpenRegistry(db *bolt.DB) (*Registry, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketExposed)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("stealth: open registry: %w", err)
	}
	return &Registry{db: db}, nil
}

// CheckService validates a service before it is stored or reopened.
// Names are lower-case letters, digits, '-' and '_': GNS folds the case
// of labels, so "Web" and "web" would share one record.
func CheckService(s Service) error {
	if s.Name == "" || len(s.Name) > maxPortNameLength {
		return fmt.Errorf("stealth: invalid name %q: 1 to %d bytes", s.Name, maxPortNameLength)
	}
	for _, r := range s.Name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("stealth: invalid name %q: use lower-case letters, digits, '-' and '_'", s.Name)
		}
	}
	host, port, err := net.SplitHostPort(s.To)
	if err != nil || host == "" || !validPort(port) {
		return fmt.Errorf("stealth: invalid --to %q: expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:22", s.To)
	}
	if s.Public != (s.Secret == nil) {
		return errors.New("stealth: a public service has no secret and a stealth service needs one")
	}
	return nil
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == port
}

// Put stores s, replacing a service of the same name.
func (r *Registry) Put(s Service) error {
	if err := CheckService(s); err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return r.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketExposed).Put([]byte(s.Name), data)
	})
}

// Get returns the service called name.
func (r *Registry) Get(name string) (Service, error) {
	var s Service
	err := r.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketExposed).Get([]byte(name))
		if data == nil {
			return fmt.Errorf("%w: %q", ErrServiceNotFound, name)
		}
		var err error
		s, err = decodeService([]byte(name), data)
		return err
	})
	return s, err
}

// Delete removes the service called name.
func (r *Registry) Delete(name string) error {
	return r.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketExposed)
		if b.Get([]byte(name)) == nil {
			return fmt.Errorf("%w: %q", ErrServiceNotFound, name)
		}
		return b.Delete([]byte(name))
	})
}

// ErrCorruptEntry marks registry entries that do not decode or validate.
var ErrCorruptEntry = errors.New("stealth: corrupt registry entry")

// List returns every valid service, sorted by name. Entries that do not
// decode or validate are left out and named in an error wrapping
// ErrCorruptEntry, so that one damaged entry cannot hide the others;
// Delete removes such an entry.
func (r *Registry) List() ([]Service, error) {
	var out []Service
	var bad []error
	err := r.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketExposed).ForEach(func(k, v []byte) error {
			s, err := decodeService(k, v)
			if err != nil {
				bad = append(bad, err)
				return nil
			}
			out = append(out, s)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if err != nil {
		return out, err
	}
	return out, errors.Join(bad...)
}

// decodeService decodes the entry stored under key and checks it.
func decodeService(key, data []byte) (Service, error) {
	var s Service
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%w %q: %v; remove it with hush expose --remove", ErrCorruptEntry, key, err)
	}
	if s.Name != string(key) {
		return s, fmt.Errorf("%w %q: it names the service %q; remove it with hush expose --remove", ErrCorruptEntry, key, s.Name)
	}
	if err := CheckService(s); err != nil {
		return s, fmt.Errorf("%w %q: %v; remove it with hush expose --remove", ErrCorruptEntry, key, err)
	}
	return s, nil
}

// NewSecret reads a fresh 256-bit secret from rand.
func NewSecret(rand io.Reader) (*[SecretSize]byte, error) {
	var s [SecretSize]byte
	if _, err := io.ReadFull(rand, s[:]); err != nil {
		return nil, fmt.Errorf("stealth: make secret: %w", err)
	}
	return &s, nil
}
