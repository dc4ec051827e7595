package protocol

// Dataset roles in Datasets.
const (
	RoleTrain = "train" // the lab's dataset: train, compress and evaluate on it
	RoleOOD   = "ood"   // a second dataset, to evaluate on out of domain
)

// Datasets is the server's /api/datasets: the dataset files it offers to
// the page (none unless started with --data or --data-ood). A URL is
// relative to the page, as LoadDataRequest's.
type Datasets struct {
	Datasets []Dataset `json:"datasets"`
}

// Dataset is one dataset file the server offers.
type Dataset struct {
	Name  string `json:"name"` // the file's name ("rt-polarity-10k.csv.gz")
	URL   string `json:"url"`  // "api/data" or "api/data-ood"
	Role  string `json:"role"` // RoleTrain or RoleOOD
	Bytes int64  `json:"bytes"`
}
