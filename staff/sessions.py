"""Staff sessions in the database under a digest of their key, never the key itself.

A session key is what the browser's cookie holds: whoever has it is signed in. Django's
database store keeps it as the row's primary key, so a database dump or backup would hand
over every live staff session. Here the row is keyed by BLAKE2b-160 of the key (40 hex
characters, the column's width): the key has 190 random bits, so the digest cannot be turned
back into a usable cookie, and looking a session up stays one indexed query.
"""

import hashlib

from django.contrib.sessions.backends import db
from django.utils import timezone


def stored_key(session_key: str) -> str:
    return hashlib.blake2b(session_key.encode(), digest_size=20).hexdigest()


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if not self.session_key:
            return None
        found = self.model.objects.filter(
            session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
        ).first()
        if found is None:
            self._session_key = None
        return found

    async def _aget_session_from_db(self):
        if not self.session_key:
            return None
        found = await self.model.objects.filter(
            session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
        ).afirst()
        if found is None:
            self._session_key = None
        return found

    def exists(self, session_key):
        return self.model.objects.filter(session_key=stored_key(session_key)).exists()

    async def aexists(self, session_key):
        return await self.model.objects.filter(session_key=stored_key(session_key)).aexists()

    def create_model_instance(self, data):
        return self.model(
            session_key=stored_key(self._get_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )

    async def acreate_model_instance(self, data):
        return self.model(
            session_key=stored_key(await self._aget_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=await self.aget_expiry_date(),
        )

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=stored_key(session_key)).delete()

    async def adelete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await self.model.objects.filter(session_key=stored_key(session_key)).adelete()
