package protocol

import (
	"encoding/json"
	"reflect"
	"testing"
)

var labRun = LabRun{Dataset: "imdb-50k", DataHash: "ab12", Seed: 42, Workers: 1, Kernel: KernelPortable,
	Train: TrainRequest{Preset: "classroom", Seed: 42, Workers: 1, Kernels: "portable"}, Compress: &CompressRequest{Variant: "base", Method: "distill", Alpha: 0.5, T: 2}}

const labRunJSON = `{"dataset":"imdb-50k","data_hash":"ab12","seed":42,"workers":1,"kernel":"portable","train":{"preset":"classroom","name":"","epochs":0,"batch_size":0,"lr":0,` +
	`"seed":42,"test_frac":0,"vocab":0,"embed":0,"hidden":0,"max_len":0,"workers":1,"kernels":"portable"},` +
	`"compress":{"variant":"base","method":"distill","name":"","initial_sparsity":0,"final_sparsity":0,"epochs":0,"alpha":0.5,"t":2,"embed":0,"hidden":0,"thesis":false}}`

var experiment = Experiment{Base: labRun, Sweep: []SweepAxis{{Param: "compress.alpha", Values: []json.RawMessage{json.RawMessage(`0.1`), json.RawMessage(`0.9`)}}}}

const experimentJSON = `{"base":` + labRunJSON + `,"sweep":[{"param":"compress.alpha","values":[0.1,0.9]}]}`

// classMessages pins the class mode's wire format (server/class) as
// messages does the engine's: encoding gives exactly this JSON, and strict
// decoding gives back the value.
var classMessages = []struct {
	name string
	v    any
	json string
}{
	{"LabRun", &labRun, labRunJSON},
	{"Experiment", &experiment, experimentJSON},
	{"ClassCreateRequest", &ClassCreateRequest{Title: "t", Experiment: experiment, SpotCheck: ptr(0.2), LeaseSeconds: 60, Minutes: 90},
		`{"title":"t","experiment":` + experimentJSON + `,"spot_check":0.2,"lease_seconds":60,"minutes":90}`},
	{"ClassCreated", &ClassCreated{Code: "ABCD2345", URL: "http://h/?class=ABCD2345", TeacherToken: "tok", Jobs: 49, Assignments: 54},
		`{"code":"ABCD2345","url":"http://h/?class=ABCD2345","teacher_token":"tok","jobs":49,"assignments":54}`},
	{"JoinRequest", &JoinRequest{Name: "Ada"}, `{"name":"Ada"}`},
	{"Joined", &Joined{StudentID: 3, Name: "Ada", StudentToken: "s"}, `{"student_id":3,"name":"Ada","student_token":"s"}`},
	{"ClassJob", &ClassJob{JobID: 7, Index: 6, Run: labRun, LeaseUntil: 1000}, `{"job_id":7,"index":6,"run":` + labRunJSON + `,"lease_until":1000}`},
	{"ClassResult", &ClassResult{JobID: 7, Hash: "ab", Metrics: json.RawMessage(`{"accuracy":0.9}`)}, `{"job_id":7,"hash":"ab","metrics":{"accuracy":0.9}}`},
	{"ResultAccepted", &ResultAccepted{JobID: 7, Repeat: true}, `{"job_id":7,"repeat":true}`},
	{"RenewRequest", &RenewRequest{JobID: 7}, `{"job_id":7}`},
	{"Renewed", &Renewed{JobID: 7, LeaseUntil: 5000}, `{"job_id":7,"lease_until":5000}`},
	{"TeacherAction", &TeacherAction{Minutes: 5, StudentID: 3, Name: "B", JobID: 7}, `{"minutes":5,"student_id":3,"name":"B","job_id":7}`},
	{"ClassStatus", &ClassStatus{Code: "C", Title: "t", State: ClassOpen, EndsAt: 9, Experiment: experiment, Jobs: 2, Done: 1, Leased: 1, Todo: 0,
		Students: []ClassStudent{{ID: 3, Name: "Ada", Done: 1, Removed: true}},
		Results:  []GridResult{{Index: 0, JobID: 7, Hash: "ab", Metrics: json.RawMessage(`{"a":1}`), StudentID: 3, Checked: true, Mismatch: true}}},
		`{"code":"C","title":"t","state":"open","ends_at":9,"experiment":` + experimentJSON + `,"jobs":2,"done":1,"leased":1,"todo":0,` +
			`"students":[{"id":3,"name":"Ada","done":1,"removed":true}],` +
			`"results":[{"index":0,"job_id":7,"hash":"ab","metrics":{"a":1},"student_id":3,"checked":true,"mismatch":true}]}`},
}

func TestClassWireFormat(t *testing.T) {
	for _, m := range classMessages {
		got, err := json.Marshal(m.v)
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if string(got) != m.json {
			t.Errorf("%s encodes as\n%s\nwant\n%s", m.name, got, m.json)
		}
		back := reflect.New(reflect.TypeOf(m.v).Elem()).Interface()
		if err := Decode(m.name, []byte(m.json), back); err != nil {
			t.Errorf("%s: %v", m.name, err)
			continue
		}
		if !reflect.DeepEqual(back, m.v) {
			t.Errorf("%s decodes as %+v, want %+v", m.name, back, m.v)
		}
	}
}
