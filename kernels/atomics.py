"""Atomic loads/stores, fences and raw pointers for Numba kernels.

These are ``numba.extending.intrinsic`` functions: they emit LLVM IR inline at the call
site, so they cost one instruction (or none) and work the same in ``@njit(nogil=True)``
code, in ``cache=True`` functions and inside a ``@cfunc`` running on a thread that has
never touched the GIL.

LLVM orderings used and what they become on x86-64 (TSO):

=====================  =========================  ===============================
function               LLVM IR                    x86-64
=====================  =========================  ===============================
``load_acquire``       ``load atomic acquire``    plain ``mov`` (+ compiler fence)
``store_release``      ``store atomic release``   plain ``mov`` (+ compiler fence)
``fence_acquire``      ``fence acquire``          nothing (compiler fence)
``fence_release``      ``fence release``          nothing (compiler fence)
=====================  =========================  ===============================

On x86-64 the hardware already keeps loads in order with loads and stores in order with
stores, so the value of these intrinsics there is that the *compiler* (LLVM) may not move
memory accesses across them. On a weakly ordered CPU (aarch64) LLVM emits ``ldar``/``stlr``
/``dmb`` and the same code stays correct.

``address_as_voidptr`` turns an integer address (``ndarray.ctypes.data``, an entry of a
state table) into a ``void*`` for ``numba.carray`` or a C function.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = [
    "load_acquire",
    "store_release",
    "fence_acquire",
    "fence_release",
    "address_as_voidptr",
]

_INT64_ALIGN = 8


def _check_int64_array(arr, index):
    if not isinstance(arr, types.Array) or arr.dtype != types.int64 or arr.ndim != 1:
        raise TypeError(f"expected a 1-D int64 array, got {arr}")
    if not isinstance(index, types.Integer):
        raise TypeError(f"expected an integer index, got {index}")


def _element_pointer(context, builder, arrty, arr, index_ty, index):
    """Pointer to ``arr[index]`` (no bounds check, no wraparound)."""
    ary = context.make_array(arrty)(context, builder, arr)
    idx = context.cast(builder, index, index_ty, types.intp)
    return cgutils.get_item_pointer(context, builder, arrty, ary, [idx], wraparound=False)


@intrinsic
def load_acquire(typingctx, arr, index):
    """``arr[index]`` read with acquire ordering (``arr``: 1-D int64)."""
    _check_int64_array(arr, index)

    def codegen(context, builder, sig, args):
        ptr = _element_pointer(context, builder, sig.args[0], args[0], sig.args[1], args[1])
        return builder.load_atomic(ptr, "acquire", _INT64_ALIGN)

    return types.int64(arr, index), codegen


@intrinsic
def store_release(typingctx, arr, index, value):
    """``arr[index] = value`` with release ordering (``arr``: 1-D int64)."""
    _check_int64_array(arr, index)
    if not isinstance(value, types.Integer):
        raise TypeError(f"expected an integer value, got {value}")

    def codegen(context, builder, sig, args):
        ptr = _element_pointer(context, builder, sig.args[0], args[0], sig.args[1], args[1])
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(val, ptr, "release", _INT64_ALIGN)
        return context.get_dummy_value()

    return types.none(arr, index, value), codegen


@intrinsic
def fence_acquire(typingctx):
    """An acquire fence: no later load/store moves before the loads preceding it."""

    def codegen(context, builder, sig, args):
        builder.fence("acquire")
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def fence_release(typingctx):
    """A release fence: no earlier load/store moves after the stores following it."""

    def codegen(context, builder, sig, args):
        builder.fence("release")
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def address_as_voidptr(typingctx, address):
    """The integer ``address`` as a ``void*`` (LLVM ``inttoptr``)."""
    if not isinstance(address, types.Integer):
        raise TypeError(f"expected an integer address, got {address}")

    def codegen(context, builder, sig, args):
        as_int = context.cast(builder, args[0], sig.args[0], types.intp)
        return builder.inttoptr(as_int, ir.IntType(8).as_pointer())

    return types.voidptr(address), codegen
