package sim

// Test-only accessors of the auction's book of open orders (openbook.go).

// BookFigures are the book's own counts of a run so far.
type BookFigures struct {
	// Reposts is the number of orders posted again from the book.
	Reposts int64
	// FromBook and AtOnce are the leases started for orders that waited
	// in the book and for orders that did not.
	FromBook, AtOnce int64
	// Waiting is the number of orders waiting in the book now.
	Waiting int
}

// Book returns the book's figures; ok is false without a book.
func (w *World) Book() (f BookFigures, ok bool) {
	a, isAuction := w.clr.(*auctionClearing)
	if !isAuction || a.book == nil {
		return f, false
	}
	b := a.book
	f = BookFigures{Reposts: b.reposts, FromBook: b.fromBook, AtOnce: b.atOnce}
	for i := range b.q {
		f.Waiting += b.q[i].live
	}
	return f, true
}

// OpenUnleased returns the number of deployments open without a lease:
// waiting in a book or queue, bidding or waiting for a retry.
func (w *World) OpenUnleased() int {
	n := 0
	for i := range w.deps.d {
		if s := w.deps.d[i].state; s != depFree && s != depLeased {
			n++
		}
	}
	return n
}
