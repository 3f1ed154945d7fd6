package reports

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"sync"
)

// encodePNG writes img to w as PNG. An opaque *image.RGBA (a chart's
// canvas) is written as 8-bit RGB, unfiltered, at the fastest deflate
// level, which decodes to the same pixels as png.Encoder's output at a
// fraction of its cost (png.Encoder tries all five filters on every
// row); any other image goes through png.Encoder with png.BestSpeed.
func encodePNG(w io.Writer, img image.Image) error {
	rgba, ok := img.(*image.RGBA)
	if !ok || !opaqueRGBA(rgba) {
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(w, img)
	}
	b := rgba.Rect
	width, height := b.Dx(), b.Dy()
	st := pngStates.get()
	defer pngStates.put(st)
	bw := st.bw
	bw.Reset(w)
	defer bw.Reset(nil) // lets go of w
	if _, err := bw.WriteString(pngSignature); err != nil {
		return err
	}
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8] = 8  // bit depth
	ihdr[9] = 2  // colour type: truecolour (RGB)
	ihdr[10] = 0 // compression: deflate
	ihdr[11] = 0 // filter method 0
	ihdr[12] = 0 // no interlace
	if err := writeChunk(bw, "IHDR", ihdr[:]); err != nil {
		return err
	}

	cw := &st.idat
	cw.w, cw.buf = bw, cw.buf[:0]
	zw := st.zw
	zw.Reset(cw)
	// each row: filter type 0 (none), then RGB. Antialiased charts gain
	// nothing from PNG's filters: unfiltered rows deflate smaller and
	// faster than rows filtered "up" or "sub"
	row := make([]byte, 1+3*width+1) // one byte more: see below
	for y := b.Min.Y; y < b.Max.Y; y++ {
		px := rgba.Pix[rgba.PixOffset(b.Min.X, y):]
		px = px[:4*width]
		// a pixel's four bytes at once; its alpha byte lands where the
		// next pixel's red goes, and after the row on the spare byte
		for x, o := 0, 1; x < len(px); x, o = x+4, o+3 {
			binary.LittleEndian.PutUint32(row[o:o+4], binary.LittleEndian.Uint32(px[x:x+4]))
		}
		if _, err := zw.Write(row[:len(row)-1]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := cw.flush(); err != nil {
		return err
	}
	if err := writeChunk(bw, "IEND", nil); err != nil {
		return err
	}
	return bw.Flush()
}

// pngSignature starts every PNG file.
const pngSignature = "\x89PNG\r\n\x1a\n"

// pngState is encodePNG's working state: the deflate state (about 1 MB
// at the fastest level), the file's buffer and the IDAT chunks' buffer.
type pngState struct {
	zw   *zlib.Writer
	bw   *bufio.Writer
	idat idatWriter
}

// pngStatePool keeps encodePNG's states across garbage collections (a
// sync.Pool drops them at each, and new memory costs a page fault per
// 4 KiB page), as many as charts are encoded at once.
type pngStatePool struct {
	mu   sync.Mutex
	free []*pngState // at most imagePoolKeep
}

// pngStates holds the states of encodePNG.
var pngStates = &pngStatePool{}

// get returns a state, new or handed back.
func (p *pngStatePool) get() *pngState {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		st := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return st
	}
	p.mu.Unlock()
	zw, err := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed)
	if err != nil {
		panic("reports: " + err.Error()) // a valid level by construction
	}
	return &pngState{zw: zw, bw: bufio.NewWriterSize(nil, 64<<10), idat: idatWriter{buf: make([]byte, 0, 64<<10)}}
}

// put hands st back (its writers refer only to st itself and to the
// file's buffer, reset by encodePNG); past imagePoolKeep states, it is
// dropped.
func (p *pngStatePool) put(st *pngState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < imagePoolKeep {
		p.free = append(p.free, st)
	}
}

// opaqueRGBA reports whether every pixel of m has alpha 0xff.
func opaqueRGBA(m *image.RGBA) bool {
	b := m.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]
		// two pixels at a time: their alpha bytes are bytes 3 and 7
		const alphas = 0xff000000ff000000
		i := 0
		for ; i+8 <= len(row); i += 8 {
			if binary.LittleEndian.Uint64(row[i:])&alphas != alphas {
				return false
			}
		}
		if i < len(row) && row[i+3] != 0xff {
			return false
		}
	}
	return true
}

// writeChunk writes a PNG chunk: length, type, data and the CRC of type
// and data.
func writeChunk(w io.Writer, typ string, data []byte) error {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ)
	crc := crc32.NewIEEE()
	crc.Write(head[4:])
	crc.Write(data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc.Sum32())
	for _, b := range [][]byte{head[:], data, tail[:]} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// idatWriter cuts the zlib stream into IDAT chunks of up to 64 KiB.
type idatWriter struct {
	w   io.Writer
	buf []byte
}

func (c *idatWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), cap(c.buf)-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		if len(c.buf) == cap(c.buf) {
			if err := c.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// flush writes the buffered bytes as one IDAT chunk.
func (c *idatWriter) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	err := writeChunk(c.w, "IDAT", c.buf)
	c.buf = c.buf[:0]
	return err
}
