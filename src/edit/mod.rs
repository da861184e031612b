//! Boundary editing: topological vertex drags, splits, merges and household painting, each
//! committed as one undoable step that keeps every invariant (valid outlines, children inside
//! their parent, siblings tiling it, every household in one micro-grid) or is refused with the
//! rule and the place. Pure data operations: the window and `bench edit` drive them alike.

mod carve;
mod change;
mod editor;
mod grab;
mod invariants;
mod local;
mod merge;
mod paint;
mod regroup;
mod split;
mod vertices;

pub use change::Change;
pub use editor::{EditError, Editor};
pub use grab::{Grab, GrabError, neighbouring_siblings, shared_vertex};
pub use invariants::{Refusal, check_units};
pub use merge::{recode as recode_subtree, renumbered_name};
pub use regroup::RegroupPart;
