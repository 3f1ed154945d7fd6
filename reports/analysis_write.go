package reports

import "errors"

// The files and writers of a sensitivity analysis and of a calibration.
// Placeholders until the charts land: the writers write nothing.

// SensitivityDataFile and CalibrationDataFile name the JSON files that
// hold a SensitivityReport or a CalibrationReport in an analysis folder
// (NaN written as null); 'depinsim report DIR' rebuilds the charts and
// report.html from them alone.
const (
	SensitivityDataFile = "sensitivity.json"
	CalibrationDataFile = "calibration.json"
)

var errNotYet = errors.New("reports: analysis data files are not written yet")

// WriteSensitivityData writes r to dir/SensitivityDataFile.
func WriteSensitivityData(dir string, r *SensitivityReport) error { return nil }

// ReadSensitivityData reads dir/SensitivityDataFile.
func ReadSensitivityData(dir string) (*SensitivityReport, error) { return nil, errNotYet }

// WriteCalibrationData writes r to dir/CalibrationDataFile.
func WriteCalibrationData(dir string, r *CalibrationReport) error { return nil }

// ReadCalibrationData reads dir/CalibrationDataFile.
func ReadCalibrationData(dir string) (*CalibrationReport, error) { return nil, errNotYet }

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
