package namestore

import (
	"fmt"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// Infos lists the records of zone zk in their JSON-friendly form, all
// labels when label is "" and one label otherwise. Name is the label.
func (s *Store) Infos(zk zone.PublicKey, label string) ([]gns.RecordInfo, error) {
	sets, err := s.labelSets(zk, label)
	if err != nil {
		return nil, err
	}
	out := []gns.RecordInfo{}
	for _, set := range sets {
		for _, r := range set.Records {
			out = append(out, gns.NewRecordInfo(set.Label, r))
		}
	}
	return out, nil
}

func (s *Store) labelSets(zk zone.PublicKey, label string) ([]LabelSet, error) {
	if label == "" {
		return s.List(zk)
	}
	recs, err := s.Lookup(zk, label)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	norm, _ := gns.NormalizeLabel(label)
	return []LabelSet{{Label: norm, Records: recs}}, nil
}

// ParseMatch builds a Match from command-line text: an empty typ matches
// every type, and an empty value every value of the type.
func ParseMatch(typ, value string) (Match, error) {
	if typ == "" {
		if value != "" {
			return Match{}, fmt.Errorf("namestore: a value to delete needs its record type")
		}
		return Match{}, nil
	}
	t, err := record.TypeByName(typ)
	if err != nil {
		return Match{}, fmt.Errorf("namestore: type: %w", err)
	}
	if value == "" {
		return Match{Type: t}, nil
	}
	data, err := record.ParseValue(t, value)
	if err != nil {
		return Match{}, fmt.Errorf("namestore: value: %w", err)
	}
	return Match{Type: t, Data: data}, nil
}
