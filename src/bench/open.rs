pub struct OpenBench;
pub fn run_open() {}
