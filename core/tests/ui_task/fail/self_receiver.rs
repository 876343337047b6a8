struct Led;

impl Led {
    #[weft_core::task]
    async fn blink(self) {}
}

fn main() {}
