package koophonetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Instance describes an instance of the fake's inventory, for
// [WithInstance], and what [Server.Instance] reports. Zero fields take the
// defaults their comments give.
type Instance struct {
	ID            string    // instance_id, 1 to 32 characters: required
	Name          string    // instance_name; "" = ID
	Region        string    // region; "" = "cn-north-4"
	SKU           string    // instance_sku, the spec as text; "" = the catalog's first SKU's name
	RunningStatus int       // running_status; 0 = 2 (running); 1 stopped, 3 going offline, 4 starting, 5 shut down
	User          string    // assign_user; "" = not assigned
	PayPerUse     bool      // billing_mode "ON_DEMAND" rather than "PERIODIC"; DeleteInstance refuses it with 5001
	Frozen        bool      // frozen_status 1
	LoggedIn      bool      // login_status 1
	Scene         string    // pool_scene_tag; "" = "CLOUD_PHONE"
	PoolName      string    // pool_name; "" = "pool-" + Region
	Created       time.Time // what query_start_time and query_end_time filter on; zero = 2026-01-01 00:00 UTC plus a minute per instance added before
	BackupStatus  int       // backup_status, sent as is (0 preparing, 1 running, 2 success, 3 failed, 4 other)
	BackupTime    string    // backup_time, "2006-01-02 15:04:05"
	RestoreStatus int       // restore_status, as BackupStatus
	RestoreTime   string    // restore_time
}

// Defaults of an Instance.
const (
	defaultRegion = "cn-north-4"
	powerStopped  = 1
	powerRunning  = 2
	powerStarting = 4
	timeLayout    = "2006-01-02 15:04:05"
)

// firstCreated is when the first seeded instance was created.
var firstCreated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// regionNames are region_name and region_name_en of the regions the fake knows.
var regionNames = map[string][2]string{
	"cn-north-4": {"华北-北京四", "CN North-Beijing4"},
	"cn-south-1": {"华南-广州", "CN South-Guangzhou"},
	"cn-east-3":  {"华东-上海一", "CN East-Shanghai1"},
}

// instance is the fake's state of one instance.
type instance struct {
	Instance             // as described, with the defaults filled in
	anyUser    bool      // registered by Script only: any user may use it
	script     []Step    // scripted ShowProgress answers
	prepared   bool      // BatchPrepareInstances started its timeline
	offline    bool      // released or backed up: it must be prepared again
	preparedAt time.Time // when
	polls      int       // ShowProgress polls since it was prepared, or of its script
	streaming  bool      // a device token was issued and streaming not stopped
	video      json.RawMessage
	apps       []appJSON // third-party apps installed
	pending    []*job    // jobs whose end changes the instance
}

// inventory is every instance, by id and in the order they were added.
type inventory struct {
	byID  map[string]*instance
	order []*instance
	added int // instances ever added, for default creation times
}

func newInventory() inventory { return inventory{byID: map[string]*instance{}} }

// add adds in, or replaces the instance of the same id where it stands.
func (v *inventory) add(in *instance) {
	if in.Created.IsZero() {
		in.Created = firstCreated.Add(time.Duration(v.added) * time.Minute)
	}
	v.added++
	if old, ok := v.byID[in.ID]; ok {
		v.order[slices.Index(v.order, old)] = in
	} else {
		v.order = append(v.order, in)
	}
	v.byID[in.ID] = in
}

// remove removes the instances of ids.
func (v *inventory) remove(ids []string) {
	for _, id := range ids {
		delete(v.byID, id)
	}
	v.order = slices.DeleteFunc(v.order, func(in *instance) bool { return v.byID[in.ID] != in })
}

// newInstance fills in the defaults of d.
func newInstance(d Instance) *instance {
	if d.Name == "" {
		d.Name = d.ID
	}
	if d.Region == "" {
		d.Region = defaultRegion
	}
	if d.SKU == "" {
		d.SKU = catalog.Specs[0].SKUs[0].Name
	}
	if d.RunningStatus == 0 {
		d.RunningStatus = powerRunning
	}
	if d.Scene == "" {
		d.Scene = sceneCloudPhone
	}
	if d.PoolName == "" {
		d.PoolName = "pool-" + d.Region
	}
	return &instance{Instance: d}
}

// WithInstances registers instances assigned to owner, as [Server.AddInstance] does.
// NewServer panics if an id is not 1 to 32 characters.
func WithInstances(owner string, instanceIDs ...string) Option {
	return func(s *Server) { s.addInstances("WithInstances", owner, instanceIDs) }
}

// WithInstance adds an instance described field by field. NewServer panics
// if its ID is not 1 to 32 characters.
func WithInstance(in Instance) Option {
	return func(s *Server) {
		mustBeID("WithInstance", in.ID)
		s.inventory.add(newInstance(in))
	}
}

// mustBeID panics, naming fn, if id is not 1 to 32 characters: no client
// could ask about such an instance, so the test that made it has a bug.
func mustBeID(fn, id string) {
	if checkLen("ID", id, 1, 32) != "" {
		panic(fmt.Sprintf("koophonetest: %s: instance id %q must be 1 to 32 characters", fn, id))
	}
}

// WithFleet adds n unassigned, running, ready instances with ids
// "fleet-00001", "fleet-00002", … and names "phone-00001", …, created a
// minute apart. Ten thousand take a few milliseconds.
func WithFleet(n int) Option {
	return func(s *Server) {
		for i := 1; i <= n; i++ {
			s.inventory.add(newInstance(Instance{ID: fmt.Sprintf("fleet-%05d", i), Name: fmt.Sprintf("phone-%05d", i)}))
		}
	}
}

// AddInstance registers instances assigned to owner (or, for "", to no
// one); other users get KOOPHONE.API.1001 for them. Registering an
// instance again resets it. It panics if an id is not 1 to 32 characters.
func (s *Server) AddInstance(owner string, instanceIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addInstances("AddInstance", owner, instanceIDs)
}

// addInstances registers ids for owner, after checking them all for fn.
func (s *Server) addInstances(fn, owner string, ids []string) {
	for _, id := range ids {
		mustBeID(fn, id)
	}
	for _, id := range ids {
		s.inventory.add(newInstance(Instance{ID: id, User: owner}))
	}
}

// Instance reports an instance as ListInstances would, with its defaults
// filled in, and whether the fake knows it.
func (s *Server) Instance(instanceID string) (Instance, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.get(instanceID)
	if !ok {
		return Instance{}, false
	}
	d := in.Instance
	d.RunningStatus = s.power(in)
	return d, true
}

// get returns an instance with the effects of its finished jobs applied.
// The caller holds s.mu.
func (s *Server) get(id string) (*instance, bool) {
	in, ok := s.inventory.byID[id]
	if ok {
		s.settle(in)
	}
	return in, ok
}

// onInstances calls do with the instances of ids, holding s.mu; an
// unknown instance gets 4001.
func (s *Server) onInstances(ids []string, do func(insts []*instance) reply) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	insts := make([]*instance, len(ids))
	for i, id := range ids {
		in, ok := s.get(id)
		if !ok {
			return notFound()
		}
		insts[i] = in
	}
	return do(insts)
}

// notFound is the reply about an unknown instance.
func notFound() reply { return fail(codeInstanceNotFound, "instance not exist") }

// lookup finds an instance the user may use, or the error reply.
// The caller holds s.mu.
func (s *Server) lookup(userID, instanceID string) (*instance, reply, bool) {
	in, ok := s.get(instanceID)
	switch {
	case !ok:
		return nil, notFound(), false
	case !in.anyUser && in.User != userID:
		return nil, fail(codePermissionDenied, "no permission on the instance: it is not assigned to user %s", userID), false
	}
	return in, reply{}, true
}

// power is the running_status of an instance now: starting while it is
// being reset. The caller holds s.mu.
func (s *Server) power(in *instance) int {
	if st, busy := s.busy(in); busy && st == statusResetting {
		return powerStarting
	}
	return in.RunningStatus
}
