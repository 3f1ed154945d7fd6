package scenarios

import (
	"fmt"
	"maps"
)

// WithDemand gives sc the demand of d, for comparisons on the same demand:
// sc's tenant cohorts are replaced by d's, d's reference prices (which set
// tenants' willingness to pay) are merged into sc's resources, d's values
// winning where both name a resource, sc takes d's reference path
// (resources.reference_steps), and sc takes d's warmup and horizon (the
// arrival streams are drawn over them) and its sampling interval (so that
// end-of-run values are read at the same times). The result is validated:
// an error names what does not fit (a mechanism parameter or provider that
// the merged resources reject, say). Replication r of sc then sees exactly
// d's demand stream, whatever else differs.
func (sc *Scenario) WithDemand(d *Scenario) error {
	sc.Tenants = append(sc.Tenants[:0:0], d.Tenants...)
	ref := maps.Clone(sc.Resources.ReferenceUSDHour)
	if ref == nil {
		ref = map[string]float64{}
	}
	maps.Copy(ref, d.Resources.ReferenceUSDHour)
	sc.Resources.ReferenceUSDHour = ref
	sc.Resources.ReferenceSteps = maps.Clone(d.Resources.ReferenceSteps)
	sc.Sim.Warmup, sc.Sim.Horizon, sc.Sim.SampleEvery = d.Sim.Warmup, d.Sim.Horizon, d.Sim.SampleEvery
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("with the demand of %s: %v", d.Name, err)
	}
	return nil
}
