package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"sentilab/protocol"
)

// A student's page: join with a display name, then claim a job, load its
// data slice, run it in the engine while renewing its lease, post its
// hash and scores, and claim the next, until the class closes or the
// teacher removes the student.

// Join joins the class with the typed name and starts working.
func (c *ClassStep) Join() {
	defer c.Lab.guard()
	name := strings.TrimSpace(c.Name)
	if name == "" || len([]rune(name)) > 40 {
		c.Lab.Err = "Type a display name of 1 to 40 characters."
		return
	}
	if !classCode(c.Code) {
		c.Lab.Err = "Type the class's join code: 8 letters and digits."
		return
	}
	c.Lab.Err = ""
	api := c.api()
	c.Lab.goSafe(func() {
		j, err := api.join(name)
		c.Lab.update(func() {
			if err != nil {
				c.Lab.Err = Clip("Joining: "+err.Error(), 300)
				return
			}
			c.StudentToken, c.StudentID, c.Name, c.TeacherToken = j.StudentToken, j.StudentID, j.Name, ""
			c.Lab.Status = "Joined class " + c.Code + " as " + j.Name + "."
			c.listen()
			c.startWork()
		})
	})
}

// Leave stops claiming jobs after the running one.
func (c *ClassStep) Leave() {
	defer c.Lab.guard()
	c.leave = true
	c.Note = "Stopping after the running job."
}

// Resume claims jobs again after Leave.
func (c *ClassStep) Resume() {
	defer c.Lab.guard()
	c.startWork()
}

// startWork starts the work loop unless it runs (under the lock).
func (c *ClassStep) startWork() {
	c.leave = false
	if c.Working {
		return
	}
	c.Working = true
	c.Lab.goSafe(c.work)
}

// workWait is how long to wait after a network error.
const workWait = 3 * time.Second

// work claims and runs jobs until the class closes, the student is
// removed or leaves.
func (c *ClassStep) work() {
	var token string
	var api classAPI
	var loaded string // the dataset slice in the engine
	c.Lab.update(func() { token, api, c.Note = c.StudentToken, c.api(), "Asking for a job…" })
	defer c.Lab.update(func() { c.Working, c.JobNow, c.JobProg = false, "", 0 })
	for {
		stop := false
		c.Lab.update(func() { stop = c.leave || c.StudentToken != token })
		if stop {
			c.Lab.update(func() { c.Note = "Not taking jobs. " + c.Note })
			return
		}
		busy := ""
		c.Lab.update(func() { busy = c.Lab.Busy })
		if busy != "" { // the lab's own job (or its restore) holds the engine
			c.Lab.update(func() { c.Note = "Waiting for " + busy + " to finish…" })
			time.Sleep(time.Second)
			continue
		}
		job, wait, err := api.claim(token)
		if err != nil {
			if c.refused(err) {
				return
			}
			c.Lab.update(func() { c.Note = Clip("The server did not answer ("+err.Error()+"): trying again…", 300) })
			time.Sleep(workWait)
			continue
		}
		if job == nil {
			c.Lab.update(func() { c.Note, c.JobNow = "Waiting for a job…", "" })
			time.Sleep(time.Duration(wait * float64(time.Second)))
			continue
		}
		res, file, err := c.runJob(api, token, job, &loaded)
		if err != nil {
			loaded = "" // the engine's data may have changed under the job
			c.Lab.update(func() { c.Note = Clip(fmt.Sprintf("Job %d failed: %v", job.Index+1, err), 400) })
			time.Sleep(workWait) // the lease runs out and another student takes it
			continue
		}
		if c.post(api, token, job, res, file) {
			return
		}
	}
}

// refused handles a refusal that ends the work: the class closed (410),
// the student removed (403), the class unknown (404).
func (c *ClassStep) refused(err error) bool {
	var ce *ClassError
	if !errors.As(err, &ce) {
		return false
	}
	var note string
	switch ce.Status {
	case 410:
		note = "The class is closed. Thank you!"
	case 403:
		note = "The teacher removed you from this class: " + ce.Message
	case 404, 401:
		note = "This class is unknown to the server: " + ce.Message
	default:
		return false
	}
	c.Lab.update(func() {
		c.Note = Clip(note, 300)
		if ce.Status != 410 {
			c.StudentToken = ""
		}
	})
	return true
}

// runJob loads the job's data if needed and runs it in the engine,
// renewing its lease meanwhile.
func (c *ClassStep) runJob(api classAPI, token string, job *protocol.ClassJob, loaded *string) (*protocol.ClassJobResult, any, error) {
	run := job.Run
	label := "?"
	c.Lab.update(func() {
		if c.Status != nil {
			label = PointLabel(c.Status.Experiment, job.Index)
		}
		c.JobNow, c.JobProg = fmt.Sprintf("Running grid point %d (%s)…", job.Index+1, label), 0
		c.Note = ""
	})
	key := fmt.Sprintf("%s/%d", run.Dataset, run.Rows)
	if *loaded != key {
		if err := c.loadJobData(run); err != nil {
			return nil, nil, err
		}
		*loaded = key
	}
	// The renewals end before the result is posted: one still in flight
	// after it would be refused (the job is no longer held).
	done, renewed := make(chan struct{}), make(chan struct{})
	defer func() { close(done); <-renewed }()
	go func() { defer close(renewed); c.renew(api, token, job, done) }()
	var res protocol.ClassJobResult
	file, err := ask(c.Lab.Eng, protocol.TypeClassJob, run, nil, &res, nil, func(p json.RawMessage) {
		var pr protocol.Progress
		if protocol.Decode("progress", p, &pr) == nil && pr.Total > 0 {
			c.Lab.update(func() { c.JobProg = float64(pr.Done) / float64(pr.Total) })
		}
	})
	return &res, file, err
}

// loadJobData loads the run's dataset slice from the server.
func (c *ClassStep) loadJobData(run protocol.LabRun) error {
	ds, err := serverDatasets(c.Lab.Br)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if datasetName(d.Name) != run.Dataset {
			continue
		}
		c.Lab.update(func() { c.JobNow = fmt.Sprintf("Loading %s (%d reviews)…", d.Name, run.Rows) })
		var info DataInfo
		if _, err := ask(c.Lab.Eng, protocol.TypeLoadData, withLimits(protocol.LoadDataRequest{URL: d.URL, Name: d.Name, Limit: run.Rows}), nil, &info, nil, nil); err != nil {
			return err
		}
		c.Lab.update(func() { c.Lab.Data = &info })
		return nil
	}
	return fmt.Errorf("the server offers no dataset %q", run.Dataset)
}

// renew renews the job's lease at a third of its length until done.
func (c *ClassStep) renew(api classAPI, token string, job *protocol.ClassJob, done chan struct{}) {
	until := job.LeaseUntil
	for {
		left := time.Until(time.UnixMilli(until))
		select {
		case <-done:
			return
		case <-time.After(max(2*time.Second, left/3)):
		}
		r, err := api.renew(token, job.JobID)
		if err == nil {
			until = r.LeaseUntil
		}
	}
}

// post posts the job's result, retrying when the server is away, then its
// model file (for the teacher to import; a refusal only noted); true when
// the work must end.
func (c *ClassStep) post(api classAPI, token string, job *protocol.ClassJob, res *protocol.ClassJobResult, file any) bool {
	m, err := json.Marshal(jobMetrics(res))
	if err != nil {
		return false
	}
	for try := 0; ; try++ {
		err := api.result(token, protocol.ClassResult{JobID: job.JobID, Hash: res.Hash, Metrics: m})
		var ce *ClassError
		switch {
		case err == nil:
			c.Lab.update(func() { c.Done++; c.JobNow, c.JobProg = "", 1 })
			if file != nil {
				c.uploadModel(api, token, job.JobID, file)
			}
			return false
		case c.refused(err):
			return true
		case errors.As(err, &ce): // 409: the lease ran out and another student took the job
			c.Lab.update(func() { c.Note = Clip("Result not taken: "+ce.Message, 300) })
			return false
		case try >= 20:
			c.Lab.update(func() { c.Note = Clip("The result could not be posted: "+err.Error(), 300) })
			return false
		}
		time.Sleep(workWait)
	}
}

// uploadModel stores a job's model file on the server, for the teacher to
// import; a file refused is only noted (the result counts without it).
func (c *ClassStep) uploadModel(api classAPI, token string, job int64, file any) {
	if err := api.upload(token, job, file); err != nil {
		c.Lab.update(func() { c.Note = Clip("The model file was not stored: "+err.Error(), 300) })
	}
}
