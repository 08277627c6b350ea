package koophone

import "fmt"

// WithWaitDefaults sets wait options that every wait of the client
// ([Client.WaitUntilReady], [Client.WaitAllReady], [Client.WaitTask],
// [Client.WaitTasks]) starts from: the options a wait is given come after
// them and override them. koophonetest's Server.Client uses it so that
// waits in tests poll every few milliseconds. The options are checked
// here: a nil or invalid one makes [NewClient] return an error matching
// [ErrInvalidParameter]. Given more than once, the last one counts.
func WithWaitDefaults(opts ...WaitOption) Option {
	return func(c *clientConfig) error {
		if _, err := newWaitConfig(opts); err != nil {
			return fmt.Errorf("wait defaults: %w", err)
		}
		c.waits = append([]WaitOption(nil), opts...)
		return nil
	}
}

// waitOptions is opts after the client's wait defaults.
func (c *Client) waitOptions(opts []WaitOption) []WaitOption {
	if len(c.waits) == 0 {
		return opts
	}
	return append(append([]WaitOption(nil), c.waits...), opts...)
}
