using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>Resolves a group name through NSS (getgrnam), so LDAP/sssd groups work as well as /etc/group.</summary>
internal static class GroupLookup
{
    internal static readonly Lock Gate = new();

    /// <summary>Returns the gid of <paramref name="name"/>, or null when no such group exists.</summary>
    public static uint? FindGid(string name)
    {
        // getgrnam returns a pointer into static storage: serialize calls and copy the gid out at once.
        lock (Gate)
        {
            var group = Libc.GetGrNam(name);
            if (group == 0)
            {
                return null;
            }

            // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
            return (uint)Marshal.ReadInt32(group, 2 * IntPtr.Size);
        }
    }

    /// <summary>Returns the name of group <paramref name="gid"/>, or null when no such group exists.</summary>
    public static string? FindName(uint gid)
    {
        lock (Gate)
        {
            var group = Libc.GetGrGid(gid);

            // gr_name is the struct's first field.
            return group == 0 ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(group));
        }
    }
}
