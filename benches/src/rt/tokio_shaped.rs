//! Trait impls shared by every runtime whose API is shaped like tokio's (tokio
//! itself and weft). Each macro takes the runtime type and the crate path.
//! One body per trait keeps the two columns measuring exactly the same calls.

/// Defines `struct $ty` (a `$krate::runtime::Runtime` of either flavor, built
/// with `Builder::new_multi_thread().worker_threads(n)` or
/// `Builder::new_current_thread()`, then `$configure(&mut builder)` if given,
/// then `enable_all().build()`) and implements [`Rt`](crate::rt::Rt) for it.
macro_rules! impl_rt {
    ($ty:ident, $krate:ident) => {
        impl_rt!($ty, $krate, |_| {});
    };
    ($ty:ident, $krate:ident, $configure:expr) => {
        #[doc = concat!("A `", stringify!($krate), "` runtime of either flavor.")]
        #[derive(Debug)]
        pub struct $ty {
            rt: $krate::runtime::Runtime,
            flavor: $crate::rt::Flavor,
        }

        impl $ty {
            fn new_runtime(flavor: $crate::rt::Flavor, threads: usize) -> $krate::runtime::Runtime {
                let mut b = match flavor {
                    $crate::rt::Flavor::MultiThread => {
                        let mut b = $krate::runtime::Builder::new_multi_thread();
                        b.worker_threads(threads);
                        b
                    }
                    $crate::rt::Flavor::CurrentThread => {
                        $krate::runtime::Builder::new_current_thread()
                    }
                };
                let configure: fn(&mut $krate::runtime::Builder) = $configure;
                configure(&mut b);
                b.enable_all()
                    .build()
                    .expect(concat!(stringify!($krate), " runtime"))
            }
        }

        impl $crate::rt::Rt for $ty {
            type Spawner = $krate::runtime::Handle;
            type Join<T: Send + 'static> = $crate::rt::Unwrap<$krate::task::JoinHandle<T>>;

            fn build(flavor: $crate::rt::Flavor, threads: usize) -> Self {
                $ty {
                    rt: Self::new_runtime(flavor, threads),
                    flavor,
                }
            }

            fn spawner(&self) -> Self::Spawner {
                self.rt.handle().clone()
            }

            fn block_on<F>(&self, f: F) -> F::Output
            where
                F: std::future::Future + Send + 'static,
                F::Output: Send + 'static,
            {
                match self.flavor {
                    $crate::rt::Flavor::MultiThread => {
                        self.rt.block_on($crate::rt::Unwrap(self.rt.spawn(f)))
                    }
                    $crate::rt::Flavor::CurrentThread => self.rt.block_on(f),
                }
            }

            fn spawn<F>(_: &Self::Spawner, f: F) -> Self::Join<F::Output>
            where
                F: std::future::Future + Send + 'static,
                F::Output: Send + 'static,
            {
                $crate::rt::Unwrap($krate::spawn(f))
            }

            fn spawn_remote<F>(sp: &Self::Spawner, f: F) -> Self::Join<F::Output>
            where
                F: std::future::Future + Send + 'static,
                F::Output: Send + 'static,
            {
                $crate::rt::Unwrap(sp.spawn(f))
            }

            fn yield_now() -> impl std::future::Future<Output = ()> + Send {
                $krate::task::yield_now()
            }
        }
    };
}

/// Implements [`RtSync`](crate::rt::RtSync) with `$krate::sync::{mpsc, oneshot}` (weft's
/// channel types are named as tokio's: `mpsc::Sender<T>`, `oneshot::Receiver<T>`).
macro_rules! impl_sync {
    ($ty:ident, $krate:ident) => {
        impl $crate::rt::RtSync for $ty {
            type Tx<T: Send + 'static> = $krate::sync::mpsc::Sender<T>;
            type Rx<T: Send + 'static> = $krate::sync::mpsc::Receiver<T>;
            type OnceTx<T: Send + 'static> = $krate::sync::oneshot::Sender<T>;
            type OnceRx<T: Send + 'static> = $crate::rt::Unwrap<$krate::sync::oneshot::Receiver<T>>;

            fn channel<T: Send + 'static>(cap: usize) -> (Self::Tx<T>, Self::Rx<T>) {
                $krate::sync::mpsc::channel(cap)
            }

            async fn send<T: Send + 'static>(tx: &Self::Tx<T>, v: T) {
                if tx.send(v).await.is_err() {
                    panic!("receiver dropped");
                }
            }

            fn recv<T: Send + 'static>(
                rx: &mut Self::Rx<T>,
            ) -> impl std::future::Future<Output = Option<T>> + Send + '_ {
                rx.recv()
            }

            fn oneshot<T: Send + 'static>() -> (Self::OnceTx<T>, Self::OnceRx<T>) {
                let (tx, rx) = $krate::sync::oneshot::channel();
                (tx, $crate::rt::Unwrap(rx))
            }

            fn send_once<T: Send + 'static>(tx: Self::OnceTx<T>, v: T) {
                if tx.send(v).is_err() {
                    panic!("oneshot receiver dropped");
                }
            }
        }
    };
}

/// Implements [`RtTime`](crate::rt::RtTime) with `$krate::time::sleep`.
macro_rules! impl_time {
    ($ty:ident, $krate:ident) => {
        impl $crate::rt::RtTime for $ty {
            fn sleep(
                d: std::time::Duration,
            ) -> impl std::future::Future<Output = ()> + Send + 'static {
                $krate::time::sleep(d)
            }
        }
    };
}

/// Implements [`RtBlocking`](crate::rt::RtBlocking) with `$krate::task::{spawn_blocking, block_in_place}`.
macro_rules! impl_blocking {
    ($ty:ident, $krate:ident) => {
        impl $crate::rt::RtBlocking for $ty {
            fn spawn_blocking<T, F>(f: F) -> impl std::future::Future<Output = T> + Send + 'static
            where
                F: FnOnce() -> T + Send + 'static,
                T: Send + 'static,
            {
                $crate::rt::Unwrap($krate::task::spawn_blocking(f))
            }

            fn block_in_place<T, F: FnOnce() -> T>(f: F) -> T {
                $krate::task::block_in_place(f)
            }
        }
    };
}

/// Implements [`RtNet`](crate::rt::RtNet) with `$krate::net::{TcpListener, TcpStream}`
/// and `$krate::io::{AsyncReadExt, AsyncWriteExt}`. Streams get `TCP_NODELAY`.
macro_rules! impl_net {
    ($ty:ident, $krate:ident) => {
        impl $crate::rt::RtNet for $ty {
            type Listener = $krate::net::TcpListener;
            type Stream = $krate::net::TcpStream;

            fn bind(
                addr: std::net::SocketAddr,
            ) -> impl std::future::Future<Output = std::io::Result<Self::Listener>> + Send {
                $krate::net::TcpListener::bind(addr)
            }

            fn local_addr(l: &Self::Listener) -> std::net::SocketAddr {
                l.local_addr().expect("local_addr")
            }

            async fn accept(l: &Self::Listener) -> std::io::Result<Self::Stream> {
                let (s, _) = l.accept().await?;
                s.set_nodelay(true)?;
                Ok(s)
            }

            async fn connect(addr: std::net::SocketAddr) -> std::io::Result<Self::Stream> {
                let s = $krate::net::TcpStream::connect(addr).await?;
                s.set_nodelay(true)?;
                Ok(s)
            }

            fn read<'a>(
                s: &'a mut Self::Stream,
                buf: &'a mut [u8],
            ) -> impl std::future::Future<Output = std::io::Result<usize>> + Send + 'a {
                $krate::io::AsyncReadExt::read(s, buf)
            }

            async fn read_exact<'a>(
                s: &'a mut Self::Stream,
                buf: &'a mut [u8],
            ) -> std::io::Result<()> {
                $krate::io::AsyncReadExt::read_exact(s, buf).await.map(drop)
            }

            fn write_all<'a>(
                s: &'a mut Self::Stream,
                buf: &'a [u8],
            ) -> impl std::future::Future<Output = std::io::Result<()>> + Send + 'a {
                $krate::io::AsyncWriteExt::write_all(s, buf)
            }
        }
    };
}
