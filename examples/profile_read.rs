//! Reads one file many times, for profilers: `cargo run --release --example profile_read FILE N`.
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let text = std::fs::read_to_string(path).expect("readable");
    let mut nodes = 0;
    for _ in 0..n {
        nodes += medcom::parse(&text).expect("reads").len();
    }
    println!("{nodes}");
}
