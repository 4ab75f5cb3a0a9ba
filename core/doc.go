// Package core turns transport connections into authenticated, encrypted
// links between neighbouring peers and multiplexes services over them.
package core
