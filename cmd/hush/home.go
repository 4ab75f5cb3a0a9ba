package main

import (
	"fmt"
	"path/filepath"

	"github.com/hush-overlay/hush/config"
	"github.com/hush-overlay/hush/control"
)

// resolveHome returns the home named by --home or the default one.
func (g *globalFlags) resolveHome() (config.Home, error) {
	if g.home != "" {
		abs, err := filepath.Abs(g.home)
		if err != nil {
			return "", fmt.Errorf("invalid --home %q: %w", g.home, err)
		}
		return config.Home(abs), nil
	}
	h, err := config.DefaultHome()
	return config.Home(h), err
}

// client returns a control client for the daemon of the home.
func (g *globalFlags) client() (*control.Client, error) {
	h, err := g.resolveHome()
	if err != nil {
		return nil, err
	}
	return control.NewClient(h.Socket()), nil
}
