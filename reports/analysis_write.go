package reports

// The chart and report writers of a sensitivity analysis and of a
// calibration. Placeholders until the charts land: they write nothing.

// WriteSensitivityCharts writes the sensitivity analysis's charts under
// dir/plots.
func WriteSensitivityCharts(dir string, r *SensitivityReport) error { return nil }

// WriteSensitivityReport writes dir/report.html for a sensitivity
// analysis.
func WriteSensitivityReport(dir string, r *SensitivityReport) error { return nil }

// WriteCalibrationCharts writes the calibration's charts under dir/plots.
func WriteCalibrationCharts(dir string, r *CalibrationReport) error { return nil }

// WriteCalibrationReport writes dir/report.html for a calibration.
func WriteCalibrationReport(dir string, r *CalibrationReport) error { return nil }
