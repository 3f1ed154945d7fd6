// Package market does matching and price formation, and nothing else: it
// moves no money and mutates no world state.
//
// A Mechanism clears one order against the bids providers placed on it and
// returns an Outcome (the winning bid and the price paid); the simulation
// kernel (package sim) applies that outcome. Mechanisms are found by name
// in an explicit registry (New, Names); each is a small type in its own
// file:
//
//   - akash-reverse (AkashReverse): Akash's first-price reverse auction;
//     the tenant takes the cheapest eligible bid and pays it
//     (docs/model/akash.md §1).
//   - vickrey-reverse (VickreyReverse): the same winner, paid the
//     second-lowest eligible bid (truthful for providers).
//   - posted-price (PostedPrice): the platform posts a USD price per
//     unit-hour, optionally with a peak multiplier, and allocates among the
//     providers at or below it by an Allocation rule (io.net, Render's
//     compute subnet; docs/model/competitors.md §1.1, §2.1).
//   - tiered-queue (TieredQueue): posted prices per unit of work in
//     priority tiers with a queue (Render's Multi-Tier Pricing, §2.1).
//   - call-market (CallMarket): a periodic uniform-price k-double auction
//     clearing all open orders of a resource at once (a Batcher).
//   - single-solver (SingleSolver): Gensyn's task pool with one solver per
//     task, verification overhead, disputes and slashing (a Verifier,
//     §3.1-3.2).
//
// Optional capabilities are separate interfaces found by type assertion:
// a mechanism that is a CheapestAsk can clear from an AskIndex (a
// price-ordered book of providers' standing asks with a segment tree of
// free capacity) in O(log n) instead of collecting every bid; Windowed
// limits the bids per order; TenantPicks lets the tenant's selection
// policy pick the winner; OpenOrders keeps orders with no winner open in
// the kernel's book of waiting orders; Poster, Tiered, Batcher, Verifier and
// ResourceBinder describe posted prices, priority tiers, batch clearing,
// checking of work and parameters keyed by resource. docs/mechanisms.md
// describes every mechanism, its parameters and its tested properties.
//
// Prices in this package are integer rates: base units of the order's
// denomination per block, times RateScale (so fractions of a base unit per
// block are exact), as on chain where lease prices are decimal coins per
// block (docs/model/akash.md §1, "Price units and block time").
//
// The package is a leaf: it imports only the standard library and
// package simtime (to read durations).
package market
