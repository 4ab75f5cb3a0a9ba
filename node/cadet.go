package node

import (
	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/core"
)

// buildCADET creates the CADET engine and its blocking API. It runs on the
// loop, after the DHT exists.
func (n *Node) buildCADET() error {
	n.cadet = cadet.New(cadet.Config{Key: n.key, Links: n.core, Env: n.loop, Paths: dhtPaths{n}})
	if err := n.core.Register(core.ServiceCADET, n.cadet); err != nil {
		return err
	}
	n.cadetDone = make(chan struct{})
	n.cadetAPI = cadet.NewAPI(n.cadet, n.loop, n.cadetDone)
	return nil
}

// closeCADET stops the engine and fails blocking calls. It runs on the
// loop.
func (n *Node) closeCADET() {
	if n.cadet == nil {
		return
	}
	close(n.cadetDone)
	n.cadet.Stop()
}

// CADET returns the blocking CADET API, for embedding programs and tests.
func (n *Node) CADET() *cadet.API { return n.cadetAPI }
