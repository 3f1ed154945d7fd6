package sim

// Test-only accessors of the biddings side table (clearing.go).

// BiddingFigures are the biddings side table's counts now.
type BiddingFigures struct {
	// Entries is the number of entries the table has ever needed (its
	// length); InUse those not in its free list.
	Entries, InUse int
	// Holders is the number of deployments that hold an entry; Leased
	// those of them whose lease runs, Free those whose slot is free.
	Holders, Leased, Free int
	// Shared is the number of entries more than one deployment holds.
	Shared int
	// Deployments is the number of deployment slots ever opened.
	Deployments int
}

// Biddings returns the biddings side table's counts.
func (w *World) Biddings() BiddingFigures {
	f := BiddingFigures{Entries: len(w.mkt.biddings), InUse: len(w.mkt.biddings) - len(w.mkt.bidFree), Deployments: len(w.deps.d)}
	seen := make(map[int32]bool)
	for i := range w.deps.d {
		d := &w.deps.d[i]
		if d.bidSlot == 0 {
			continue
		}
		f.Holders++
		if seen[d.bidSlot] {
			f.Shared++
		}
		seen[d.bidSlot] = true
		switch d.state {
		case depLeased:
			f.Leased++
		case depFree:
			f.Free++
		}
	}
	return f
}
