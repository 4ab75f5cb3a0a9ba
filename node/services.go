package node

import "net/http"

// startServices starts the services above CORE. It runs on the loop.
func (n *Node) startServices() error {
	if err := n.buildDHT(); err != nil {
		return err
	}
	if err := n.buildGNS(); err != nil {
		return err
	}
	if err := n.buildCADET(); err != nil {
		return err
	}
	var err error
	n.expose, err = newExposer(n)
	return err
}

// closeServices stops the services' timers. It runs on the loop.
func (n *Node) closeServices() {
	n.closeCADET()
	n.closeGNS()
	if n.dht != nil {
		n.dht.Close()
	}
}

// serviceRoutes adds the control API routes of the services above CORE.
func (n *Node) serviceRoutes(mux *http.ServeMux) {
	n.dhtRoutes(mux)
	n.gnsRoutes(mux)
	n.cadetRoutes(mux)
	n.exposeRoutes(mux)
}
