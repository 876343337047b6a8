//! weft on "bare metal": `#![no_std]`, `#![no_main]`, no allocator.
#![no_std]
#![no_main]

mod board;

use weft_core::executor::Executor;
use weft_core::task::TaskPool;

static EXEC: Executor<board::WfiPark> = Executor::new(board::WfiPark::new());
static POOL: TaskPool<core::future::Ready<u32>, 2> = TaskPool::new();

#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    board::init(|| {});
    let a = EXEC.spawn(POOL.spawn(|| core::future::ready(20)).unwrap());
    let b = EXEC.spawn(POOL.spawn(|| core::future::ready(22)).unwrap());
    let sum = EXEC.block_on(async { a.await.unwrap() + b.await.unwrap() });
    println!("sum = {sum}");
    if sum == 42 {
        println!("all checks passed");
    }
    board::exit(if sum == 42 { 0 } else { 1 })
}
