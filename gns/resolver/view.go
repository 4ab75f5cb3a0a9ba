package resolver

import (
	"strings"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
)

// ResultView is the JSON-friendly form of a Result for `hush gns lookup`
// and the control API.
type ResultView struct {
	Name    string           `json:"name"`
	Code    Code             `json:"code"`
	Records []gns.RecordInfo `json:"records"`
	Error   string           `json:"error,omitempty"`
}

// View returns the JSON-friendly form of r.
func (r Result) View() ResultView {
	v := ResultView{Name: r.Name, Code: r.Code, Records: r.Infos()}
	if r.Err != nil {
		v.Error = r.Err.Error()
	}
	return v
}

// ParseType reads a type filter: a record type name such as "A" or
// "EDKEY", "TYPE" and a number, or "ANY" (or "") for all types.
func ParseType(s string) (record.Type, error) {
	if s == "" || strings.EqualFold(s, "ANY") {
		return TypeAny, nil
	}
	return record.TypeByName(s)
}
