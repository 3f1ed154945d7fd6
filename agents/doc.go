// Package agents is behaviour: what providers and tenants decide.
//
// Providers (ProviderCohort) have capacity per resource (CPU cores, memory,
// GPUs by model), attributes (region, audited), a cost per unit-hour and a
// price list (the Helm bid script's defaults, docs/model/akash.md §6,
// scaled by a per-provider multiplier), and a bid Strategy. They enter
// when the market looks profitable and leave when their income over a
// review period does not cover their costs.
//
// Tenants (TenantCohort) arrive as a time-varying Poisson process per
// cohort; each deployment has a resource request, a maximum price relative
// to a reference cloud price, a heavy-tailed lifetime, a budget, an escrow
// funding policy and a patience.
//
// Decisions are pure functions of a profile or parameters, a view of the
// market and a random stream (*rand.Rand); they return values (a price, a
// time, a yes or no) that package sim applies. Nothing here mutates world
// state. Parameter structs carry toml tags: package scenarios decodes them
// straight from scenario files.
package agents
