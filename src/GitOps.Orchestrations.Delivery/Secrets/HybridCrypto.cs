using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitOps.Orchestrations.Delivery.Secrets;

/// <summary>
/// Sealed Secrets' hybrid encryption, as <c>kubeseal</c> writes it: a single-use 32-byte AES-256-GCM
/// key (so the nonce is all zeros) encrypts the value, RSA-OAEP with SHA-256 and the scope's label
/// encrypts that key, and the result is the RSA ciphertext's length (two bytes, big-endian), the RSA
/// ciphertext, then the AES-GCM ciphertext with its tag. The primitives are .NET's (AES-GCM) and
/// BouncyCastle's (OAEP, which .NET offers without a label); nothing here is a primitive of its own.
/// </summary>
public static class HybridCrypto
{
    public const int SessionKeyBytes = 32;
    const int TagBytes = 16;
    const int NonceBytes = 12;

    public static byte[] Encrypt(RsaKeyParameters publicKey, ReadOnlySpan<byte> plaintext, byte[] label)
    {
        byte[] sessionKey = RandomNumberGenerator.GetBytes(SessionKeyBytes);
        try
        {
            OaepEncoding oaep = Oaep(label);
            oaep.Init(forEncryption: true, new ParametersWithRandom(publicKey, new Org.BouncyCastle.Security.SecureRandom()));
            byte[] wrapped = oaep.ProcessBlock(sessionKey, 0, sessionKey.Length);
            byte[] output = new byte[2 + wrapped.Length + plaintext.Length + TagBytes];
            BinaryPrimitives.WriteUInt16BigEndian(output, checked((ushort)wrapped.Length));
            wrapped.CopyTo(output, 2);
            using var aes = new AesGcm(sessionKey, TagBytes);
            Span<byte> body = output.AsSpan(2 + wrapped.Length);
            aes.Encrypt(stackalloc byte[NonceBytes], plaintext, body[..plaintext.Length], body[plaintext.Length..]);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    /// <summary>
    /// The plaintext, or null when this key with this label did not seal it (another key, another
    /// scope, another name). A frame that cannot be one, or a value changed after sealing, throws
    /// <see cref="CryptographicException"/>.
    /// </summary>
    public static byte[]? TryDecrypt(RsaPrivateCrtKeyParameters privateKey, ReadOnlySpan<byte> ciphertext, byte[] label)
    {
        if (ciphertext.Length < 2)
        {
            throw new CryptographicException("the value is too short to be sealed");
        }

        int wrappedLength = BinaryPrimitives.ReadUInt16BigEndian(ciphertext);
        if (wrappedLength == 0 || ciphertext.Length < 2 + wrappedLength + TagBytes)
        {
            throw new CryptographicException("the value is not in the sealed format (its key block is cut short)");
        }

        byte[] sessionKey;
        try
        {
            OaepEncoding oaep = Oaep(label);
            oaep.Init(forEncryption: false, privateKey);
            sessionKey = oaep.ProcessBlock(ciphertext.Slice(2, wrappedLength).ToArray(), 0, wrappedLength);
        }
        catch (Exception e) when (e is InvalidCipherTextException or DataLengthException)
        {
            return null;
        }

        try
        {
            if (sessionKey.Length != SessionKeyBytes)
            {
                throw new CryptographicException("the value's session key has the wrong length");
            }

            ReadOnlySpan<byte> body = ciphertext[(2 + wrappedLength)..];
            byte[] plaintext = new byte[body.Length - TagBytes];
            using var aes = new AesGcm(sessionKey, TagBytes);
            aes.Decrypt(stackalloc byte[NonceBytes], body[..^TagBytes], body[^TagBytes..], plaintext);
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    static OaepEncoding Oaep(byte[] label) => new(new RsaBlindedEngine(), new Sha256Digest(), new Sha256Digest(), label);
}
