package tokenomics_test

import (
	"fmt"

	"github.com/depinsim/depinsim/tokenomics"
)

// ExampleBME follows one dollar flow through the Burn-Mint Equilibrium: a
// tenant burns AKT into the vault for ACT at $1.14, pays a provider in
// ACT, and the provider redeems the ACT for AKT at $1.25. AKT rose in
// between, so fewer AKT come out than went in: a net burn
// (docs/model/akash.md §7).
func ExampleBME() {
	l := tokenomics.NewLedger()
	pool := l.Open("community-pool")
	vault := l.Open("bme-vault")
	tenant := l.Open("tenant")
	provider := l.Open("provider")
	l.Mint(pool, tokenomics.AKT, tokenomics.Tokens(1_000_000))
	l.Mint(tenant, tokenomics.AKT, tokenomics.Tokens(1_000))

	bme := tokenomics.NewBME(tokenomics.DefaultBMEParams(), l, vault)
	if err := bme.Seed(pool); err != nil { // 300,000 AKT, not a remint credit
		panic(err)
	}

	act, err := bme.MintACT(tenant, tenant, tokenomics.Tokens(1_000), 1.14)
	if err != nil {
		panic(err)
	}
	fmt.Printf("mint: 1000 AKT at $1.14 -> %.2f ACT to the tenant, %.2f ACT spread kept\n",
		tokenomics.Whole(act), tokenomics.Whole(l.Balance(vault, tokenomics.ACT)))
	fmt.Printf("vault %.0f AKT, remint credits %.0f AKT, CR %.1f (%s)\n",
		tokenomics.Whole(bme.Vault()), tokenomics.Whole(bme.RemintCredits()), bme.CollateralRatio(1.14), bme.Status(1.14))

	l.Transfer(tenant, provider, tokenomics.ACT, act) // the leases, settled in ACT
	out, fromVault, minted, err := bme.BurnACT(provider, provider, act, 1.25)
	if err != nil {
		panic(err)
	}
	fmt.Printf("burn: %.2f ACT at $1.25 -> %.2f AKT (%.2f from the vault, %.2f minted)\n",
		tokenomics.Whole(act), tokenomics.Whole(out), tokenomics.Whole(fromVault), tokenomics.Whole(minted))
	fmt.Printf("net AKT burned %.2f, remint credits %.2f AKT, mint epoch %d blocks\n",
		tokenomics.Whole(bme.NetBurnedAKT()), tokenomics.Whole(bme.RemintCredits()), bme.MintInterval(1.25))
	ok, _ := l.Check()
	fmt.Println("ledger conserved:", ok)
	// Output:
	// mint: 1000 AKT at $1.14 -> 1137.15 ACT to the tenant, 2.85 ACT spread kept
	// vault 301000 AKT, remint credits 1000 AKT, CR 301.0 (healthy)
	// burn: 1137.15 ACT at $1.25 -> 909.72 AKT (909.72 from the vault, 0.00 minted)
	// net AKT burned 90.28, remint credits 90.28 AKT, mint epoch 10 blocks
	// ledger conserved: true
}
