// Package sim is the discrete-event kernel and the world: simulated time,
// the event queue, random streams, the run loop, and the only code that
// mutates world state.
//
// A World is one replication built from a Config (catalog, provider and
// tenant cohorts, a market mechanism, the money parameters). Its Run pops
// events in (time, phase, sequence) order from a Queue; at one instant the
// phases run in the order of the Phase constants: arrivals, decisions,
// market clearing, settlement, tokenomics, sample. Agents (package agents)
// decide and the mechanism (package market) picks winners; World applies
// their results: leases, escrow deposits and settlement, withdrawals with
// the take, provider entry and exit. Every token moves through one
// tokenomics.Ledger, and CheckInvariants (run after every event when
// Config.Check is set) checks conservation, escrow cover, capacity and
// max prices.
//
// Randomness comes from named streams of one seed (Streams): a stream's
// draws depend only on the seed and its name, so adding a component does
// not perturb the others. A World uses "market" (bid order, random
// tie-breaks), "leases" (provider lease closes), per tenant cohort
// "tenants/NAME/arrivals", "tenants/NAME/demand" and
// "tenants/NAME/behaviour", and per provider cohort
// "providers/NAME/profiles", "providers/NAME/entry" and
// "providers/NAME/exit". RunReplications runs replication rep with seed
// ReplicationSeed(master, rep), on any number of workers with the same
// results.
//
// A Recorder receives a Sample of the metrics in Metrics at every
// sampling time; the model knows nothing about output formats.
package sim
