package paddock

// SubscribeStates is States for one more reader (a recipe, a cache): every state change reaches
// the returned channel too, with the same drop-oldest buffer, and it is closed after a final state
// or by cancel. States() itself is unchanged, so a subscriber takes nothing from its reader.
func (c *Client) SubscribeStates() (states <-chan State, cancel func()) {
	ch := make(chan State, c.opts.stateBuffer)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.statesClosed {
		close(ch)
		return ch, func() {}
	}
	if c.subscribers == nil {
		c.subscribers = make(map[chan State]struct{})
	}
	c.subscribers[ch] = struct{}{}
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.subscribers[ch]; ok {
			delete(c.subscribers, ch)
			close(ch)
		}
	}
}

// publishLocked hands s to every subscriber (c.mu held), dropping a full channel's oldest state.
func (c *Client) publishLocked(s State) {
	final := s == StateExpired || s == StateClosed || s == StateAuthFailed
	for ch := range c.subscribers {
		for sent := false; !sent; {
			select {
			case ch <- s:
				sent = true
			default:
				select {
				case <-ch:
				default:
				}
			}
		}
		if final {
			close(ch)
			delete(c.subscribers, ch)
		}
	}
}
