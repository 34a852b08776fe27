// RANGE_COLLAPSED's detail: the dense layer whose integer range left f32's
// normal range (every non-zero sum flushed to 0, docs/int16.md §5, §6), 0 if none.
export let collapsedLayer: i32 = 0;
export function setCollapsedLayer(l: i32): void { collapsedLayer = l; }
