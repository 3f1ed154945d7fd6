package reports

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/simtime"
)

// SavedRun is a run folder read back by ReadRun.
type SavedRun struct {
	// Manifest is the folder's manifest.json.
	Manifest Manifest
	// Recordings holds one recording per replication, in the files'
	// order (increasing Rep), as the run recorded them.
	Recordings []*Recording
}

// ReadRun reads the run folder dir that a run wrote (WriteAll or
// RunWriter): manifest.json, then timeseries.csv, resources.csv and
// cohorts.csv into one Recording per replication, empty fields as NaN.
// The recordings are those that were written: their values bit for bit
// (the files hold the shortest decimal that reads back exactly) and their
// times to the nanosecond when they are whole microseconds (sample times
// are). From them Summarize, ChartDataOf and the rest rebuild the
// summary, the charts and later reports.
//
// A folder without manifest.json is incomplete (its run failed or is
// still being written) and is an error, as are files that do not match
// the manifest's replications and sample counts. A column of
// timeseries.csv that is not a metric of sim.Metrics is an error; a metric
// without a column (a folder from a version with fewer metrics) is NaN.
// A folder without cohorts.csv has no cohorts. Errors name the file and
// line.
func ReadRun(dir string) (*SavedRun, error) {
	var run SavedRun
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no %s: the folder is not a complete run", dir, ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &run.Manifest); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestFile), err)
	}
	recs, err := readTimeseries(filepath.Join(dir, TimeseriesFile))
	if err != nil {
		return nil, err
	}
	if err := checkManifest(run.Manifest, recs, filepath.Join(dir, TimeseriesFile)); err != nil {
		return nil, err
	}
	if err := readResources(filepath.Join(dir, ResourcesFile), recs); err != nil {
		return nil, err
	}
	if err := readCohorts(filepath.Join(dir, CohortsFile), recs); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	run.Recordings = recs
	return &run, nil
}

// checkManifest checks that recs are the manifest's replications.
func checkManifest(man Manifest, recs []*Recording, file string) error {
	if len(man.Replications) != len(recs) {
		return fmt.Errorf("%s: %d replications, the manifest lists %d", file, len(recs), len(man.Replications))
	}
	for i, ri := range man.Replications {
		if recs[i].Rep != ri.Rep || recs[i].Len() != ri.Samples {
			return fmt.Errorf("%s: replication %d has %d samples, the manifest lists replication %d with %d",
				file, recs[i].Rep, recs[i].Len(), ri.Rep, ri.Samples)
		}
	}
	return nil
}

// csvReader reads a CSV file row by row, naming the file and line in
// errors.
type csvReader struct {
	path string
	f    *os.File
	r    *csv.Reader
	line int
}

func openCSV(path string) (*csvReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	r.ReuseRecord = true
	return &csvReader{path: path, f: f, r: r}, nil
}

// next returns the next row, or io.EOF.
func (c *csvReader) next() ([]string, error) {
	row, err := c.r.Read()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.path, err) // a csv.ParseError names the line
	}
	c.line, _ = c.r.FieldPos(0)
	return row, nil
}

// errorf returns an error at the current line.
func (c *csvReader) errorf(format string, a ...any) error {
	return fmt.Errorf("%s:%d: %s", c.path, c.line, fmt.Sprintf(format, a...))
}

// header reads the header row and checks it against want.
func (c *csvReader) header(want []string) error {
	row, err := c.next()
	if err == io.EOF {
		return fmt.Errorf("%s: empty file", c.path)
	}
	if err != nil {
		return err
	}
	if !slices.Equal(row, want) {
		return c.errorf("header %v, want %v", row, want)
	}
	return nil
}

// float parses a field: empty is NaN.
func (c *csvReader) float(field, column string) (float64, error) {
	if field == "" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(field, 64)
	if err != nil {
		return 0, c.errorf("%s: not a number: %q", column, field)
	}
	return v, nil
}

// repAndTime parses the rep and t_hours fields of a row.
func (c *csvReader) repAndTime(row []string) (int, sim.Time, error) {
	rep, err := strconv.Atoi(row[0])
	if err != nil || rep < 0 {
		return 0, 0, c.errorf("rep: want a replication number >= 0, got %q", row[0])
	}
	h, err := strconv.ParseFloat(row[1], 64)
	if err != nil {
		return 0, 0, c.errorf("t_hours: not a number: %q", row[1])
	}
	return rep, timeOfHours(h), nil
}

// timeOfHours returns the time whose Hours() is h, preferring the
// coarsest unit (a whole second, millisecond, microsecond) that gives it:
// a time of t_hours written by formatFloat reads back exactly when it is
// a whole number of microseconds.
func timeOfHours(h float64) sim.Time {
	for _, unit := range []sim.Time{simtime.Second, simtime.Millisecond, simtime.Microsecond} {
		t := sim.Time(math.Round(h*float64(simtime.Hour)/float64(unit))) * unit
		if t.Hours() == h {
			return t
		}
	}
	return simtime.FromHours(h)
}

// readTimeseries reads timeseries.csv into recordings, one per
// replication, in the file's order.
func readTimeseries(path string) ([]*Recording, error) {
	c, err := openCSV(path)
	if err != nil {
		return nil, err
	}
	defer c.f.Close()
	head, err := c.next()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	if err != nil {
		return nil, err
	}
	head = slices.Clone(head) // the reader reuses its rows
	if len(head) < 2 || head[0] != "rep" || head[1] != "t_hours" {
		return nil, c.errorf("header starts %v, want rep, t_hours", head[:min(2, len(head))])
	}
	cols := make([]int, len(head)) // metric index of each column
	byName := map[string]int{}
	for m, mt := range sim.Metrics {
		byName[mt.Name] = m
	}
	seen := map[string]bool{}
	for i, name := range head[2:] {
		m, ok := byName[name]
		if !ok {
			return nil, c.errorf("column %q is not a metric of sim.Metrics", name)
		}
		if seen[name] {
			return nil, c.errorf("column %q twice", name)
		}
		seen[name] = true
		cols[2+i] = m
	}
	var recs []*Recording
	for {
		row, err := c.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rep, t, err := c.repAndTime(row)
		if err != nil {
			return nil, err
		}
		var rec *Recording
		if n := len(recs); n > 0 && recs[n-1].Rep == rep {
			rec = recs[n-1]
		} else {
			if n > 0 && rep <= recs[n-1].Rep {
				return nil, c.errorf("rep %d after rep %d: replications must be in increasing order", rep, recs[n-1].Rep)
			}
			rec = &Recording{Rep: rep}
			recs = append(recs, rec)
		}
		if n := len(rec.Times); n > 0 && t < rec.Times[n-1] {
			return nil, c.errorf("t_hours %s before the previous sample", row[1])
		}
		vals := make([]float64, sim.NumMetrics)
		for m := range vals {
			vals[m] = math.NaN() // a metric without a column
		}
		for i := 2; i < len(row); i++ {
			if vals[cols[i]], err = c.float(row[i], head[i]); err != nil {
				return nil, err
			}
		}
		rec.Times = append(rec.Times, t)
		rec.Values = append(rec.Values, vals)
	}
	for _, rec := range recs {
		rec.Resources = make([][]sim.ResourceSample, len(rec.Times))
		rec.Cohorts = make([][]sim.CohortSample, len(rec.Times))
	}
	return recs, nil
}

// sampleCursor finds the sample of each row of a long file: rows come in
// replication, then time order.
type sampleCursor struct {
	recs []*Recording
	r, i int // the current recording and sample
}

// find returns the recording and sample index of (rep, t).
func (s *sampleCursor) find(c *csvReader, rep int, t sim.Time, field string) (*Recording, int, error) {
	for s.r < len(s.recs) && s.recs[s.r].Rep < rep {
		s.r, s.i = s.r+1, 0
	}
	if s.r == len(s.recs) || s.recs[s.r].Rep != rep {
		return nil, 0, c.errorf("rep %d: not in %s (or out of order)", rep, TimeseriesFile)
	}
	rec := s.recs[s.r]
	for s.i < len(rec.Times) && rec.Times[s.i] < t {
		s.i++
	}
	if s.i == len(rec.Times) || rec.Times[s.i] != t {
		return nil, 0, c.errorf("t_hours %s: no such sample of rep %d in %s (or out of order)", field, rep, TimeseriesFile)
	}
	return rec, s.i, nil
}

// readResources reads resources.csv into recs.
func readResources(path string, recs []*Recording) error {
	return readLong(path, ResourcesHeader, recs, func(c *csvReader, rec *Recording, i int, row []string) (err error) {
		rs := sim.ResourceSample{Resource: row[2]}
		for k, p := range []*float64{&rs.Capacity, &rs.Allocated, &rs.Utilization, &rs.MedianPriceUSDHour} {
			if *p, err = c.float(row[3+k], ResourcesHeader[3+k]); err != nil {
				return err
			}
		}
		rec.Resources[i] = append(rec.Resources[i], rs)
		return nil
	})
}

// readCohorts reads cohorts.csv into recs.
func readCohorts(path string, recs []*Recording) error {
	return readLong(path, CohortsHeader, recs, func(c *csvReader, rec *Recording, i int, row []string) (err error) {
		cs := sim.CohortSample{Cohort: row[2], Kind: row[3]}
		if cs.Providers, err = strconv.Atoi(row[4]); err != nil {
			return c.errorf("providers: not a whole number: %q", row[4])
		}
		for k, p := range []*float64{&cs.GPUs, &cs.GPUsLeased, &cs.CPUs, &cs.IncomeUSD, &cs.Bids, &cs.BidsWon, &cs.WinRate, &cs.BidMarkup, &cs.WonMarkup, &cs.Entered, &cs.Exited} {
			if *p, err = c.float(row[5+k], CohortsHeader[5+k]); err != nil {
				return err
			}
		}
		rec.Cohorts[i] = append(rec.Cohorts[i], cs)
		return nil
	})
}

// readLong reads a long-format file (rep, t_hours, then one row per
// resource or cohort of a sample) with the given header into recs: add
// parses each row into sample i of rec, the recording of its rep.
func readLong(path string, header []string, recs []*Recording, add func(c *csvReader, rec *Recording, i int, row []string) error) error {
	c, err := openCSV(path)
	if err != nil {
		return err
	}
	defer c.f.Close()
	if err := c.header(header); err != nil {
		return err
	}
	cur := sampleCursor{recs: recs}
	for {
		row, err := c.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		rep, t, err := c.repAndTime(row)
		if err != nil {
			return err
		}
		rec, i, err := cur.find(c, rep, t, row[1])
		if err != nil {
			return err
		}
		if err := add(c, rec, i, row); err != nil {
			return err
		}
	}
}
