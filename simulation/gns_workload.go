package simulation

// NOTE: the GNS and CADET workloads are not wired in yet, so Run rejects
// them with an error that says so.

func (w *world) startGNS() error {
	return errorf("the gns workload is not implemented yet")
}

func (w *world) fillGNS(*Report) {}

func (w *world) startCADET() error {
	return errorf("the cadet workload is not implemented yet")
}

func (w *world) fillCADET(*Report) {}
