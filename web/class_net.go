package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"sentilab/protocol"
)

// ClassNet is what class mode needs from the browser besides Browser: JSON
// posts with a bearer token and the live view's Server-Sent Events.
// class_net_js.go implements it with fetch and EventSource; tests use a
// fake that calls server/class's handler.
type ClassNet interface {
	// Post sends body as JSON (with "Authorization: Bearer token" unless
	// token is "") and returns the status, the Retry-After header in
	// seconds (0 if absent) and the answer's body. err is a network error.
	Post(url, token string, body any) (status int, retryAfter float64, answer []byte, err error)
	// Upload posts file (an ArrayBuffer in the page, []byte in tests) as
	// application/octet-stream with the bearer token.
	Upload(url, token string, file any) (status int, answer []byte, err error)
	// Listen opens an EventSource on url and calls onStatus with the data
	// of each "status" event, onError when the connection drops (the
	// browser reconnects by itself). stop closes it.
	Listen(url string, onStatus func(data string), onError func()) (stop func())
}

// ClassError is a refusal of the class server: its status and message.
type ClassError struct {
	Status  int
	Message string
}

func (e *ClassError) Error() string {
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

// classError reads a refusal's {"message": ...} body.
func classError(status int, body []byte) *ClassError {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) != nil || m.Message == "" {
		m.Message = strings.TrimSpace(Clip(string(body), 200))
	}
	if m.Message == "" {
		m.Message = "no answer"
	}
	return &ClassError{Status: status, Message: m.Message}
}

// classAPI is the class server's routes for one class (server/class/doc.go).
type classAPI struct {
	net  ClassNet
	code string
}

func (a classAPI) path(rest string) string { return "api/class/" + a.code + rest }

// call posts body and decodes a want answer into out (nil: ignored).
// Another status is a *ClassError.
func (a classAPI) call(path, token string, body any, want int, out any) error {
	status, _, answer, err := a.net.Post(path, token, body)
	if err != nil {
		return err
	}
	if status != want {
		return classError(status, answer)
	}
	if out == nil {
		return nil
	}
	return protocol.Decode(path+" answer", answer, out)
}

func createClass(net ClassNet, req protocol.ClassCreateRequest) (*protocol.ClassCreated, error) {
	var out protocol.ClassCreated
	if err := (classAPI{net: net}).call("api/class", "", req, 201, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (a classAPI) join(name string) (*protocol.Joined, error) {
	var out protocol.Joined
	if err := a.call(a.path("/join"), "", protocol.JoinRequest{Name: name}, 201, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// teacher runs a teacher action and returns the status after it.
func (a classAPI) teacher(token, action string, body protocol.TeacherAction) (*protocol.ClassStatus, error) {
	var out protocol.ClassStatus
	if err := a.call(a.path("/teacher/"+action), token, body, 200, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// claim asks for a job: the job (200), or nil and how long to wait (204,
// 429), or a *ClassError (410 closed, 403 removed, ...).
func (a classAPI) claim(token string) (*protocol.ClassJob, float64, error) {
	status, wait, answer, err := a.net.Post(a.path("/claim"), token, struct{}{})
	switch {
	case err != nil:
		return nil, 0, err
	case status == 200:
		var job protocol.ClassJob
		if err := protocol.Decode("claim answer", answer, &job); err != nil {
			return nil, 0, err
		}
		return &job, 0, nil
	case status == 204 || status == 429:
		if wait <= 0 {
			wait = 2
		}
		return nil, wait, nil
	}
	return nil, 0, classError(status, answer)
}

func (a classAPI) renew(token string, job int64) (*protocol.Renewed, error) {
	var out protocol.Renewed
	if err := a.call(a.path("/renew"), token, protocol.RenewRequest{JobID: job}, 200, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (a classAPI) result(token string, res protocol.ClassResult) error {
	return a.call(a.path("/result"), token, res, 200, nil)
}

// upload stores the model file of a job whose result was taken.
func (a classAPI) upload(token string, job int64, file any) error {
	status, answer, err := a.net.Upload(a.path(fmt.Sprintf("/model/%d", job)), token, file)
	if err != nil {
		return err
	}
	if status != 200 {
		return classError(status, answer)
	}
	return nil
}
