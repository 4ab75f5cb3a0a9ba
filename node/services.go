package node

import "net/http"

// startServices starts the services above CORE. It runs on the loop.
func (n *Node) startServices() error { return nil }

// serviceRoutes adds the control API routes of the services above CORE.
func (n *Node) serviceRoutes(mux *http.ServeMux) {}
