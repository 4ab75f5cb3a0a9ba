package simulation

// NOTE: the CADET workload is not wired in yet, so Run rejects it with an
// error that says so.

func (w *world) startCADET() error {
	return errorf("the cadet workload is not implemented yet")
}

func (w *world) fillCADET(*Report) {}
