"""Files sealed as they stream in (sealing.FileSealer, sealing.open_file): whatever pieces the
bytes arrive in, they open to the same bytes, and no chunk can be altered, dropped, reordered,
added or moved to another file without the opening failing."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals import sealing

CHUNK = sealing.FILE_CHUNK
CONTEXT = "attachment:0f3c:file"


def _seal(data: bytes, pieces=None, context=CONTEXT):
    sealer = sealing.FileSealer(context=context)
    chunks = []
    step = pieces or len(data) or 1
    for start in range(0, len(data), step):
        chunks += sealer.update(data[start : start + step])
    chunks.append(sealer.finish())
    return sealer.key_envelope, chunks


def _open(key_envelope, chunks, context=CONTEXT):
    return b"".join(sealing.open_file(key_envelope, chunks, context=context))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_a_file_opens_to_the_same_bytes_whatever_its_size(size):
    data = os.urandom(size)

    key_envelope, chunks = _seal(data, pieces=8192)

    assert _open(key_envelope, chunks) == data
    assert all(len(chunk) == CHUNK + 16 for chunk in chunks[:-1])


@settings(max_examples=60, deadline=None)
@given(size=st.integers(0, 3 * CHUNK), pieces=st.integers(1, 2 * CHUNK))
def test_any_pieces_give_the_same_file(size, pieces):
    data = os.urandom(size)

    key_envelope, chunks = _seal(data, pieces=pieces)

    assert _open(key_envelope, chunks) == data


def _refused(key_envelope, chunks, context=CONTEXT):
    with pytest.raises(sealing.TamperedEnvelopeError):
        _open(key_envelope, chunks, context)


def test_a_file_cut_short_is_refused_even_at_a_chunk_boundary():
    key_envelope, chunks = _seal(os.urandom(3 * CHUNK + 5))

    _refused(key_envelope, chunks[:-1])
    _refused(key_envelope, chunks[:1])
    _refused(key_envelope, [])


def test_reordered_repeated_or_extra_chunks_are_refused():
    key_envelope, chunks = _seal(os.urandom(3 * CHUNK + 5))

    _refused(key_envelope, [chunks[1], chunks[0], *chunks[2:]])
    _refused(key_envelope, [chunks[0], *chunks])
    _refused(key_envelope, [*chunks, chunks[-1]])


def test_a_changed_byte_anywhere_is_refused():
    key_envelope, chunks = _seal(os.urandom(2 * CHUNK + 5))
    changed = bytearray(chunks[1])
    changed[100] ^= 1

    _refused(key_envelope, [chunks[0], bytes(changed), chunks[2]])


def test_chunks_or_a_key_moved_to_another_file_do_not_open():
    key_a, chunks_a = _seal(os.urandom(2 * CHUNK), context="attachment:a:file")
    _, chunks_b = _seal(os.urandom(2 * CHUNK), context="attachment:b:file")

    _refused(key_a, [chunks_a[0], chunks_b[1]], "attachment:a:file")
    # The file key is bound to its file: under another file's name it does not open at all.
    with pytest.raises(sealing.TamperedEnvelopeError):
        _open(key_a, chunks_a, "attachment:b:file")


def test_the_public_side_can_seal_a_file_but_never_open_one(key_pair):
    public_only = sealing.load_keyring([key_pair[0]], [])
    sealer = sealing.FileSealer(context=CONTEXT, keyring=public_only)
    chunks = [*sealer.update(b"%PDF-1.7 a letter"), sealer.finish()]

    with pytest.raises(sealing.NoPrivateKeyError):
        b"".join(
            sealing.open_file(sealer.key_envelope, chunks, context=CONTEXT, keyring=public_only)
        )
    assert b"a letter" not in b"".join(chunks) + sealer.key_envelope


def test_rotation_re_seals_only_the_file_key_and_the_file_still_opens(key_pair):
    data = os.urandom(CHUNK + 3)
    key_envelope, chunks = _seal(data)
    key_b = sealing.generate_key_pair("test-b")
    both = sealing.load_keyring([key_b[0], key_pair[0]], [key_b[1], key_pair[1]])

    # What rotation.py does with any envelope: open it and seal it again to the newest key.
    key_context = f"{CONTEXT}:file-key"
    resealed = sealing.seal(
        sealing.unseal(key_envelope, context=key_context, keyring=both),
        context=key_context,
        keyring=both,
    )

    assert sealing.key_id_of(resealed) == "test-b"
    only_b = sealing.load_keyring([key_b[0]], [key_b[1]])
    assert b"".join(sealing.open_file(resealed, chunks, context=CONTEXT, keyring=only_b)) == data
