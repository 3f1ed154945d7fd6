// Package market does matching and price formation, and nothing else: it
// moves no money and mutates no world state.
//
// A Mechanism clears one order against the bids providers placed on it and
// returns an Outcome (the winning bid and the price paid); the simulation
// kernel (package sim) applies that outcome. Mechanisms are found by name
// in an explicit registry (New, Names); each is a small type in its own
// file. Optional capabilities are separate interfaces found by type
// assertion: a mechanism that is a CheapestAsk can clear from an AskIndex
// (a price-ordered book of providers' standing asks with a segment tree of
// free capacity) in O(log n) instead of collecting every bid.
//
// Prices in this package are integer rates: base units of the order's
// denomination per block, times RateScale (so fractions of a base unit per
// block are exact), as on chain where lease prices are decimal coins per
// block (../shared/model/akash.md §1, "Price units and block time").
//
// The package is a leaf: it imports only the standard library.
package market
