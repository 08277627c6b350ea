//go:build race

package signer

// raceEnabled: the race detector drops pooled state at random.
const raceEnabled = true
