//! ASL → `workflow!` source. (Filled in below.)
